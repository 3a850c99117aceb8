import { type App, createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { createTestDatabase, type TestDatabase } from './database';

export const VMN_SECRET = 'test-vmn-webhook-secret-0123456789';
export const VMN_NUMBER = '919900000001';

/** A clock tests can move forward; the server and its sweeper read it. */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface TestServer {
  url: string;
  app: App;
  db: TestDatabase;
  clock: TestClock;
  newTenant(merchantId?: string): Promise<TenantCredentials>;
  close(): Promise<void>;
}

let tenantCounter = 0;

/** A real server on a random loopback port over a fresh database (SQLite, or PostgreSQL when DATABASE_URL says so). */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    VMN_NUMBERS: VMN_NUMBER,
    VMN_WEBHOOK_SECRET: VMN_SECRET,
    SECRETS_KEY: '11'.repeat(32),
    SWEEP_INTERVAL_MS: '50',
    OUTBOX_POLL_INTERVAL_MS: '20',
    // The same suites run over Redis fan-out, shared rate limits and replay cache when it is set.
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  const clock = new TestClock();
  const app = await createApp(config, {
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    clock: clock.now,
  });
  const url = await app.http.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    app,
    db,
    clock,
    newTenant: (merchantId = 'TEST') =>
      app.tenants.createTenant({
        merchantId,
        merchantChannelId: `CH${process.pid}x${++tenantCounter}`,
      }),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
