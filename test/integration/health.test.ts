import Fastify, { type FastifyInstance } from 'fastify';
import { Client } from 'pg';
import { RedisEventBus } from '../../src/events/redis-event-bus';
import { freePort, startRedis } from '../support/process';
import { createLogger } from '../../src/logger';
import { registerHealth } from '../../src/observability/health';
import { migrate, openOrm, type Orm } from '../../src/persistence/orm';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitFor } from '../support/wait';

let db: TestDatabase;
let orm: Orm;
let app: FastifyInstance;
let url: string;

beforeEach(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.target);
});
afterEach(async () => {
  await app?.close();
  await orm.close(true);
  await db.drop();
});

async function serve(deps: Partial<Parameters<typeof registerHealth>[1]> = {}) {
  app = Fastify();
  registerHealth(app, { orm, timeoutMs: 1000, ...deps });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
}

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`);
  return { status: response.status, body: await response.json() };
}
const readyz = () => get('/readyz');

/** Runs statements on the server DATABASE_URL names (not on the test's own database). */
async function onPostgresServer(statements: [string, unknown[]?][]): Promise<void> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    for (const [sql, params] of statements) await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** Makes the test database refuse every connection, including the ones the pool holds. */
async function cutOff(reachable: boolean): Promise<void> {
  if (db.target.kind === 'sqlite') {
    // One file and one connection: closing it is what losing the database means here.
    if (reachable) await orm.connect();
    else await orm.close(true);
    return;
  }
  const name = new URL(db.target.url).pathname.slice(1);
  await onPostgresServer([
    [`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${reachable}`],
    ...(reachable
      ? []
      : ([
          ['select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]],
        ] as [string, unknown[]][])),
  ]);
}

describe('/healthz and /readyz', () => {
  it('/readyz answers 503 while the database is unreachable and 200 again once it returns', async () => {
    await migrate(orm);
    await serve();
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', failed: [], checks: { database: 'ok', migrations: 'ok' } },
    });

    await cutOff(false);
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', failed: ['database'] });
    expect(down.body.checks.database).toMatch(/unreachable|timeout/);
    // Liveness is not readiness: restarting the process would not bring the database back.
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });

    await cutOff(true);
    // The pool may first hand out a connection the server killed; a probe or two later it is fresh.
    const back = await waitFor(readyz, (r) => r.status === 200, 5000);
    expect(back.status).toBe(200);
  });

  it('/readyz answers 503 naming migrations until every migration is applied', async () => {
    await serve();
    expect(await readyz()).toEqual({
      status: 503,
      body: {
        status: 'unavailable',
        failed: ['migrations'],
        checks: { database: 'ok', migrations: 'pending' },
      },
    });
    await migrate(orm);
    expect((await readyz()).status).toBe(200);
  });

  it('/readyz times out a database that does not answer instead of hanging the probe', async () => {
    await orm.close(true);
    orm = await openOrm(db.target, { poolMax: 1 });
    await migrate(orm);
    await serve({ timeoutMs: 300 });
    // The only pooled connection stays busy in an open transaction, so `select 1` waits for it.
    let release: () => void = () => undefined;
    const holding = new Promise<void>((acquired) => {
      void orm.em.fork().transactional(async (em) => {
        await em.execute('select 1');
        acquired();
        await new Promise<void>((resolve) => (release = resolve));
      });
    });
    await holding;
    try {
      const started = Date.now();
      const stuck = await readyz();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(stuck).toMatchObject({
        status: 503,
        body: { failed: ['database'], checks: { database: 'timeout' } },
      });
    } finally {
      release();
    }
    expect((await waitFor(readyz, (r) => r.status === 200)).status).toBe(200);
  });

  it('/readyz answers 503 naming redis once Redis goes away, and 200 when it is back', async () => {
    await migrate(orm);
    // A private Redis, so stopping it disturbs no other suite.
    const port = await freePort();
    let redis = await startRedis(port);
    const bus = await RedisEventBus.connect(`redis://127.0.0.1:${port}`, createLogger('silent'));
    try {
      await serve({ redis: bus });
      expect(await readyz()).toMatchObject({ status: 200, body: { checks: { redis: 'ok' } } });
      await redis.stop();
      expect(await waitFor(readyz, (r) => r.status === 503)).toMatchObject({
        status: 503,
        body: { failed: ['redis'] },
      });
      redis = await startRedis(port);
      expect((await waitFor(readyz, (r) => r.status === 200, 15_000)).status).toBe(200);
    } finally {
      await bus.close();
      await redis.stop();
    }
  });
});
