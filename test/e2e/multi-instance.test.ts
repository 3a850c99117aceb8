import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { migrate, openOrm } from '../../src/persistence/orm';
import { TenantService, type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from '../support/clients';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { bindInput, CUSTOMER_MOBILE, issueToken } from '../support/flows';
import { BIND_DEVICE } from '../support/operations';
import {
  freePort,
  type ServerProcess,
  startRedis,
  startServerProcess,
  waitUntil,
} from '../support/process';
import { VMN_NUMBER, VMN_SECRET } from '../support/server';
import { REGISTRATION_CHANGED, statuses, subscribe, wsClient } from '../support/ws';

const SECRETS_KEY = '22'.repeat(32);
let db: TestDatabase;
let dataDir: string;
let redisPort: number;
let redis: { stop(): Promise<void> };
let a: ServerProcess;
let b: ServerProcess;
let tenant: TenantCredentials;

/** Two server processes over one database, fanning events out through one Redis. */
beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'bindery-multi-'));
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  const orm = await openOrm(
    loadConfig({ DATABASE_URL: db.url, SECRETS_KEY, DATA_DIR: dataDir }).database,
  );
  await migrate(orm);
  tenant = await new TenantService({
    orm,
    secretsKey: Buffer.from(SECRETS_KEY, 'hex'),
  }).createTenant({
    merchantId: 'MULTI',
    merchantChannelId: 'MULTIAPP',
  });
  await orm.close(true);
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    SECRETS_KEY,
    DATA_DIR: dataDir,
    VMN_NUMBERS: VMN_NUMBER,
    VMN_WEBHOOK_SECRET: VMN_SECRET,
    DEMO_TENANT: 'false',
    SWEEP_INTERVAL_MS: '200',
    OUTBOX_POLL_INTERVAL_MS: '50',
  };
  [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('several instances', () => {
  it('a subscriber on instance A hears changes made through instance B, across a Redis restart', async () => {
    const attempt = await issueToken(b.url, tenant);
    const feed = subscribe(wsClient(a.url, tenant), REGISTRATION_CHANGED, {
      id: attempt.registrationId,
    });
    await feed.untilCount(1);

    await deliverSms(b.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    expect(statuses(await feed.untilCount(2), 'registrationStatusChanged')).toEqual([
      'PENDING_SMS',
      'SMS_VERIFIED',
    ]);

    // The bind commits while Redis is down: its event cannot be published then.
    await redis.stop();
    const bound = await graphql(b.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant);
    expect(bound.data?.bindDevice.errors).toEqual([]);
    redis = await startRedis(redisPort);

    await feed.done;
    expect(statuses(feed.results, 'registrationStatusChanged')).toEqual([
      'PENDING_SMS',
      'SMS_VERIFIED',
      'BOUND',
    ]);
    await feed.close();
  }, 40_000);

  it('a signed request replayed to the other instance is refused', async () => {
    // After the restart above, wait until both instances are connected to Redis again: while one
    // is not, it falls back to its own memory for replays.
    for (const instance of [a, b]) {
      await waitUntil(async () => (await fetch(`${instance.url}/readyz`)).ok, 'readiness');
    }
    const attempt = await issueToken(a.url, tenant);
    const timestamp = Math.floor(Date.now() / 1000);
    const rawBody = JSON.stringify({
      messageId: `m-${attempt.registrationId}`,
      from: CUSTOMER_MOBILE,
      to: VMN_NUMBER,
      content: attempt.smsContent,
      receivedAt: new Date().toISOString(),
    });
    const sms = { from: CUSTOMER_MOBILE, content: attempt.smsContent };
    expect((await deliverSms(a.url, sms, { rawBody, timestamp })).status).toBe(200);
    expect((await deliverSms(b.url, sms, { rawBody, timestamp })).status).toBe(401);
  });

  it('both instances stop with exit code 0 on SIGTERM', async () => {
    expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);
  });
});
