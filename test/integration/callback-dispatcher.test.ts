import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { ConsentStatus } from '../../src/domain/consent-status';
import { CallbackDispatcher } from '../../src/events/callback-dispatcher';
import { queueConsentCallback } from '../../src/services/consent-callback-queue';
import {
  GIVE_UP_AFTER_MS,
  MAX_RETRY_MS,
  nextAttemptAt,
  retryDelayMs,
} from '../../src/events/callback-schedule';
import { createLogger } from '../../src/logger';
import { CallbackDelivery, ConsentTransaction } from '../../src/persistence/entities';
import { type Orm, openOrm } from '../../src/persistence/orm';
import { type TenantCredentials, TenantService } from '../../src/services/tenant-service';
import { openMigratedOrm, type TestDatabase } from '../support/database';

const SECRETS_KEY = Buffer.alloc(32, 7);

let orm: Orm;
let db: TestDatabase;
let tenants: TenantService;
let tenant: TenantCredentials;
let tenantId: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** The dispatchers' clock; tests move it to where the next attempt is due. */
let nowMs = Date.now();
const clock = () => new Date(nowMs);

/** A callback endpoint answering each spTransactionID as scripted; 0 means never answer. */
async function startReceiver() {
  const calls: { spTransactionID: string; answeredWith: number }[] = [];
  const scripts = new Map<string, number[]>();
  const state = { delayMs: 0, failAll: false };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { spTransactionID } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const status = state.failAll ? 500 : (scripts.get(spTransactionID)?.shift() ?? 200);
      calls.push({ spTransactionID, answeredWith: status });
      if (status === 0) return;
      setTimeout(() => response.writeHead(status).end(), state.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    scripts,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  ({ orm, db } = await openMigratedOrm());
  tenants = new TenantService({ orm, secretsKey: SECRETS_KEY });
  tenant = await tenants.createTenant({ merchantId: 'CB', merchantChannelId: 'CBAPP' });
  tenantId = (await tenants.findBySpId(tenant.spId))!.id;
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await orm?.close();
  await db?.drop();
});

function dispatcher(
  options: {
    orm?: Orm;
    timeoutMs?: number;
    lines?: string[];
    random?: () => number;
    privateNetworks?: boolean;
  } = {},
) {
  const destination = new Writable({
    write(chunk, _encoding, done) {
      options.lines?.push(String(chunk));
      done();
    },
  });
  return new CallbackDispatcher(
    { orm: options.orm ?? orm, tenants, clock, log: createLogger('info', destination) },
    {
      pollIntervalMs: 1000,
      timeoutMs: options.timeoutMs ?? 2000,
      privateNetworks: options.privateNetworks ?? true,
      random: options.random,
    },
  );
}

/** Settles a consent the way the services do: final status and queued callback in one transaction. */
async function settledConsent(
  status: ConsentStatus,
  callbackUrl: string | null = `${receiver.url}/callback`,
): Promise<ConsentTransaction> {
  return orm.em.fork().transactional(async (em) => {
    const consent = em.create(ConsentTransaction, {
      id: randomUUID(),
      tenantId,
      spId: tenant.spId,
      spTransactionId: `tx-${randomUUID()}`,
      uaePassTransactionId: randomUUID(),
      merchantCustomerId: 'customer-1',
      purpose: 'KYC share',
      status,
      callbackUrl,
      expiresAt: new Date(nowMs + 60_000),
      createdAt: clock(),
      decidedAt: null,
      version: 1,
    });
    queueConsentCallback(em, consent, clock());
    return consent;
  });
}

const deliveryOf = (consent: ConsentTransaction) =>
  orm.em.fork().findOneOrFail(CallbackDelivery, { consentId: consent.id });

describe('the retry schedule', () => {
  it('waits 1 s, 2 s, 4 s … doubling up to 1 h, jittered within the upper half of each step', () => {
    const longest = [1, 2, 3, 4, 12, 13, 40, 1000].map((n) => retryDelayMs(n, () => 1));
    expect(longest).toEqual([
      1000,
      2000,
      4000,
      8000,
      2048_000,
      MAX_RETRY_MS,
      MAX_RETRY_MS,
      MAX_RETRY_MS,
    ]);
    expect([1, 2, 13].map((n) => retryDelayMs(n, () => 0))).toEqual([500, 1000, MAX_RETRY_MS / 2]);
  });

  it('puts the last try on the 24 h mark and gives up after a failure there', () => {
    const created = new Date('2026-11-22T00:00:00Z');
    const lateFailure = new Date(created.getTime() + GIVE_UP_AFTER_MS - 60_000);
    expect(nextAttemptAt(created, 30, lateFailure, () => 1)).toEqual(
      new Date(created.getTime() + GIVE_UP_AFTER_MS),
    );
    expect(nextAttemptAt(created, 31, new Date(created.getTime() + GIVE_UP_AFTER_MS))).toBeNull();
  });
});

describe('queueing', () => {
  it('queues a callback only for a final status with a callbackUrl', async () => {
    const accepted = await settledConsent(ConsentStatus.ACCEPTED);
    const triggered = await settledConsent(ConsentStatus.TRIGGERED);
    const noUrl = await settledConsent(ConsentStatus.REJECTED, null);
    const em = orm.em.fork();
    expect(await em.count(CallbackDelivery, { consentId: accepted.id })).toBe(1);
    expect(await em.count(CallbackDelivery, { consentId: triggered.id })).toBe(0);
    expect(await em.count(CallbackDelivery, { consentId: noUrl.id })).toBe(0);
  });
});

describe('the callback dispatcher', () => {
  it('retries a failing receiver with growing waits until 24 h after creation, then records giving up', async () => {
    const consent = await settledConsent(ConsentStatus.REJECTED);
    receiver.scripts.set(consent.spTransactionId, Array(100).fill(500));
    const callbacks = dispatcher({ random: () => 1 });
    const attemptTimes: number[] = [];
    for (let guard = 0; guard < 100; guard++) {
      await callbacks.dispatchDue();
      const row = await deliveryOf(consent);
      attemptTimes.push(row.lastAttemptAt!.getTime());
      if (!row.nextAttemptAt) break;
      nowMs = row.nextAttemptAt.getTime();
    }

    const row = await deliveryOf(consent);
    const waits = attemptTimes.slice(1).map((at, i) => at - attemptTimes[i]);
    expect(waits.slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(Math.max(...waits)).toBe(MAX_RETRY_MS);
    expect(attemptTimes.at(-1)).toBe(row.createdAt.getTime() + GIVE_UP_AFTER_MS);
    expect(row).toMatchObject({
      attempts: attemptTimes.length,
      lastStatus: 500,
      deliveredAt: null,
    });
    expect(row.givenUpAt).toEqual(new Date(attemptTimes.at(-1)!));
    expect(
      receiver.calls.filter((c) => c.spTransactionID === consent.spTransactionId),
    ).toHaveLength(attemptTimes.length);
    expect((await callbacks.deliveriesFor(consent.id))[0].state).toBe('GIVEN_UP');

    nowMs += GIVE_UP_AFTER_MS;
    await callbacks.dispatchDue();
    expect((await deliveryOf(consent)).attempts).toBe(attemptTimes.length);
  });

  it('records a receiver that does not answer within the timeout as a failed attempt without a status', async () => {
    const consent = await settledConsent(ConsentStatus.ACCEPTED);
    receiver.scripts.set(consent.spTransactionId, [0]);
    await dispatcher({ timeoutMs: 200 }).dispatchDue();
    expect(await deliveryOf(consent)).toMatchObject({
      attempts: 1,
      lastStatus: null,
      lastError: 'no answer within 200 ms',
      deliveredAt: null,
      givenUpAt: null,
    });
  });

  it('with private networks off, calls no receiver on this host, by address or by name, and records why', async () => {
    const byAddress = await settledConsent(ConsentStatus.ACCEPTED);
    const byName = await settledConsent(
      ConsentStatus.ACCEPTED,
      `${receiver.url.replace('127.0.0.1', 'localhost')}/callback`,
    );
    await dispatcher({ privateNetworks: false }).dispatchDue();
    for (const consent of [byAddress, byName]) {
      expect(await deliveryOf(consent)).toMatchObject({
        attempts: 1,
        lastStatus: null,
        lastError: 'the host is not on the public internet',
        deliveredAt: null,
      });
      expect(
        receiver.calls.filter((c) => c.spTransactionID === consent.spTransactionId),
      ).toHaveLength(0);
    }
  });

  it('records an unreachable receiver with the connection error and tries again later', async () => {
    const gone = await startReceiver();
    await gone.close();
    const consent = await settledConsent(ConsentStatus.ACCEPTED, `${gone.url}/callback`);
    await dispatcher().dispatchDue();
    const row = await deliveryOf(consent);
    expect(row).toMatchObject({ attempts: 1, lastStatus: null, lastError: 'ECONNREFUSED' });
    expect(row.nextAttemptAt!.getTime()).toBeGreaterThan(nowMs);
  });

  it('logs the callback host, never the signing secret nor the path and query of the url', async () => {
    const consent = await settledConsent(
      ConsentStatus.ACCEPTED,
      `${receiver.url}/hooks/private-path?token=sp-token-123`,
    );
    receiver.scripts.set(consent.spTransactionId, [500, 200]);
    const lines: string[] = [];
    const callbacks = dispatcher({ lines });
    await callbacks.dispatchDue();
    nowMs = (await deliveryOf(consent)).nextAttemptAt!.getTime();
    await callbacks.dispatchDue();

    expect((await callbacks.deliveriesFor(consent.id))[0]).toMatchObject({
      state: 'DELIVERED',
      attempts: 2,
    });
    const log = lines.join('');
    expect(log).toContain(new URL(receiver.url).host);
    expect(log).toContain('consent callback failed');
    expect(log).toContain('consent callback delivered');
    for (const leak of [tenant.signingSecret, 'private-path', 'sp-token-123']) {
      expect(log).not.toContain(leak);
    }
  });

  it('two dispatchers on one database deliver each of many callbacks exactly once', async () => {
    const consents = await Promise.all(
      Array.from({ length: 40 }, () => settledConsent(ConsentStatus.ACCEPTED)),
    );
    const otherOrm = await openOrm(db.target);
    receiver.state.delayMs = 20;
    try {
      const first = dispatcher();
      const second = dispatcher({ orm: otherOrm });
      await Promise.all([
        first.dispatchDue(),
        second.dispatchDue(),
        first.dispatchDue(),
        second.dispatchDue(),
      ]);
    } finally {
      receiver.state.delayMs = 0;
      await otherOrm.close();
    }
    for (const consent of consents) {
      const received = receiver.calls.filter((c) => c.spTransactionID === consent.spTransactionId);
      expect(received).toHaveLength(1);
      expect(await deliveryOf(consent)).toMatchObject({ attempts: 1, lastStatus: 200 });
    }
  });
});
