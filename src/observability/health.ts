import { type FastifyInstance } from 'fastify';
import { type Orm } from '../persistence/orm';
import { DeadlineExceeded, withDeadline } from './deadline';

export interface HealthDeps {
  orm: Orm;
  /** The Redis event bus when one is configured (RedisEventBus has this getter). */
  redis?: { readonly ready: boolean };
  /** Longest /readyz waits for each database check. */
  timeoutMs?: number;
}

type CheckResult = 'ok' | 'unreachable' | 'timeout' | 'pending' | 'skipped';

export interface Readiness {
  status: 'ready' | 'unavailable';
  /** Names of the checks that did not pass; empty when ready. */
  failed: string[];
  checks: Record<string, CheckResult>;
}

/**
 * Answers what /readyz answers. Migrations are checked only until they are seen applied: this
 * process's code never gains a migration, so once applied they stay applied, and the probe does
 * not list the migrations table every few seconds.
 */
export function readinessCheck(
  deps: HealthDeps,
): (onError: (e: unknown) => void) => Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? 1000;
  let migrationsApplied = false;

  const database = async (): Promise<CheckResult> => {
    await withDeadline(
      deps.orm.em.fork().getConnection().execute('select 1'),
      timeoutMs,
      'database check',
    );
    return 'ok';
  };
  const migrations = async (): Promise<CheckResult> => {
    if (migrationsApplied) return 'ok';
    const pending = await withDeadline(
      deps.orm.getMigrator().getPendingMigrations(),
      timeoutMs,
      'migration check',
    );
    migrationsApplied = pending.length === 0;
    return migrationsApplied ? 'ok' : 'pending';
  };

  return async (onError) => {
    const attempt = async (check: () => Promise<CheckResult>): Promise<CheckResult> => {
      try {
        return await check();
      } catch (error) {
        onError(error);
        return error instanceof DeadlineExceeded ? 'timeout' : 'unreachable';
      }
    };
    const checks: Record<string, CheckResult> = { database: await attempt(database) };
    // Without a database the migration check could only fail the same way, after another wait.
    checks.migrations = checks.database === 'ok' ? await attempt(migrations) : 'skipped';
    if (deps.redis) checks.redis = deps.redis.ready ? 'ok' : 'unreachable';
    const failed = Object.keys(checks).filter((name) => !['ok', 'skipped'].includes(checks[name]));
    return { status: failed.length === 0 ? 'ready' : 'unavailable', failed, checks };
  };
}

/**
 * `GET /healthz`: 200 while the process serves HTTP (liveness; restarting will not fix a database
 * outage, so it checks nothing else). `GET /readyz`: 200 when the database answers, migrations are
 * applied and Redis (when configured) is connected; otherwise 503 naming what failed, so a load
 * balancer stops sending work here until it recovers.
 */
export function registerHealth(app: FastifyInstance, deps: HealthDeps): void {
  const readiness = readinessCheck(deps);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    const answer = await readiness((error) =>
      request.log.warn({ err: error }, 'readiness check failed'),
    );
    return reply.code(answer.status === 'ready' ? 200 : 503).send(answer);
  });
}
