import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { freePort, type ServerProcess, startProcess } from './proc';

/** The tree under test: this checkout, or a scratch copy holding a proposed change (BINDERY_DIR). */
export const BINDERY_DIR = resolve(process.env.BINDERY_DIR ?? join(__dirname, '..', '..'));
/**
 * A copy of the tree with a proposed change: measured beside BINDERY_DIR in the same turns, so
 * a before/after comparison is not at the mercy of what the neighbours ran that minute.
 */
export const CANDIDATE_DIR = process.env.BENCH_CANDIDATE_DIR
  ? resolve(process.env.BENCH_CANDIDATE_DIR)
  : undefined;

/** The trees to measure, labelled for the table. */
export const TREES: { label: string; dir: string }[] = [
  { label: 'Bindery', dir: BINDERY_DIR },
  ...(CANDIDATE_DIR ? [{ label: 'candidate', dir: CANDIDATE_DIR }] : []),
];
export const VMN_SECRET = 'bench-vmn-webhook-secret-0123456789';
export const PG_SERVER_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface Tenant {
  apiKey: string;
  apiToken: string;
  merchantId: string;
  merchantChannelId: string;
}

export interface Bindery extends ServerProcess {
  db: DatabaseKind;
  tenant: Tenant;
  logFile: string;
}

const built = new Set<string>();

/** Benchmarks the compiled server, as production runs it, not ts-node's. Once per tree and run. */
export function buildOnce(dir = BINDERY_DIR): void {
  if (built.has(dir) || process.env.BENCH_SKIP_BUILD === '1') return;
  const tsc = require.resolve('typescript/bin/tsc', { paths: [dir] });
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: dir,
    stdio: 'inherit',
  });
  built.add(dir);
}

async function onPgServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: PG_SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database per server, as test/support/database.ts makes them, so runs never share rows. */
async function freshDatabase(kind: DatabaseKind, dir: string) {
  if (kind === 'sqlite')
    return { url: `sqlite:${join(dir, 'bindery.sqlite')}`, drop: async () => {} };
  const name = `bindery_bench_${randomBytes(6).toString('hex')}`;
  await onPgServer(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => onPgServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/**
 * Bindery in a child process on a fresh database with one tenant made by the admin CLI.
 * Development defaults with explicit secrets: production would only add secret checks.
 */
export async function startBindery(
  db: DatabaseKind,
  options: { env?: Record<string, string>; nodeArgs?: string[]; dir?: string } = {},
): Promise<Bindery> {
  const root = options.dir ?? BINDERY_DIR;
  buildOnce(root);
  const dir = mkdtempSync(join(tmpdir(), 'bindery-bench-'));
  const database = await freshDatabase(db, dir);
  const port = await freePort();
  const env: Record<string, string> = {
    // Measured as deployed: graphql-js skips its development-only checks in production.
    NODE_ENV: 'production',
    VMN_NUMBERS: '919900000001',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dir,
    DATABASE_URL: database.url,
    VMN_WEBHOOK_SECRET: VMN_SECRET,
    SECRETS_KEY: randomBytes(32).toString('hex'),
    DEMO_TENANT: 'false',
    // A shell's own settings must not turn on Redis fan-out or the router gate mid-comparison.
    REDIS_URL: '',
    ROUTER_SECRET: '',
    // One bench tenant makes thousands of requests a second: the limit is counted, never reached.
    RATE_LIMIT_REQUESTS: '100000000',
    RATE_LIMIT_WINDOW_SECONDS: '1',
    ...options.env,
  };
  const cleanUp = async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const tenant = JSON.parse(
      execFileSync(
        process.execPath,
        [
          'bin/bindery.js',
          'tenant',
          'create',
          '--merchant-id',
          'BENCH',
          '--channel-id',
          'BENCHAPP',
          '--json',
        ],
        // stderr piped so a failing CLI's message lands in the thrown error.
        { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      ).toString(),
    ) as Tenant;
    const logFile = join(tmpdir(), `bindery-bench-${db}-${port}.log`);
    const server = await startProcess({
      args: [...(options.nodeArgs ?? []), 'dist/src/main.js'],
      env,
      port,
      logFile,
      cwd: root,
    });
    return {
      ...server,
      db,
      tenant,
      logFile,
      async stop() {
        await server.stop();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
