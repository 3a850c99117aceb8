/**
 * Fault: one of two instances is SIGKILLed mid-load.
 *
 * Two built server processes (A and B) share one fresh PostgreSQL database and a private Redis.
 * Sixteen clients (eight per instance) loop token -> SMS -> bindDevice -> requestConsent ->
 * decideConsent for about 9 s; once A has acknowledged a few writes (at 6 s at the latest) it gets
 * SIGKILL (no drain, no outbox pass, open transactions cut) and its clients fail over to B, as a
 * load balancer would send them. What
 * must hold: B keeps serving; every binding and consent acknowledged by either instance is in the
 * database with the acknowledged status; every outbox row ends published (first with B alone,
 * then after A restarts), and every committed event reached the Redis channel the instances
 * share (a listener in the test hears it), so no write and no event is lost.
 *
 * Always runs on PostgreSQL: on DATABASE_URL's server when that is a postgres:// URL, otherwise
 * on postgres://postgres@127.0.0.1:5432/postgres (CI and these machines always run it).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { bindNewDevice, DeadlineClient } from '../support/fault-client';
import { faultDatabaseWithTenant, untilAllPublished } from '../support/fault-database';
import { errorLogCounts, faultServiceEnv, unhandledErrorLines } from '../support/fault-service';
import { DECIDE_CONSENT, REQUEST_CONSENT } from '../support/operations';
import { freePort, type ServiceProcess, startRedis, startServiceProcess } from '../support/process';
import { onPostgres, type PostgresDatabase } from '../support/postgres';
import { sleep } from '../support/wait';

const SECRETS_KEY = '44'.repeat(32);
/**
 * Clients per instance. Each instance's PostgreSQL pool holds 10 connections; eight clients plus
 * the relay, sweeper and callback passes stay within it (see docs/RELIABILITY.md on the pool).
 */
const CLIENTS_PER_INSTANCE = 8;
const LOAD_MS = 9_000;
/** A dies once it has acknowledged this many writes (three whole flows)... */
const KILL_A_AFTER_WRITES = 9;
/** ...or at this time into the load, whichever comes first. */
const KILL_A_AT_THE_LATEST_MS = 6_000;
const MAX_FLOWS_PER_CLIENT = 100;
const http = new DeadlineClient(5_000);
/** The channel src/events/redis-event-bus.ts fans status events out on. */
const EVENT_CHANNEL = 'bindery:status-events';

interface Ledger {
  /** Device binding id -> registration id, of acknowledged bindDevice calls. */
  bindings: Map<string, string>;
  /** spTransactionID -> the last status an acknowledged call answered for it. */
  consents: Map<string, string>;
  /** Acknowledged writes per instance, split at A's kill. */
  acknowledged: Record<string, number>;
  failures: Record<string, number>;
  flows: number;
}

/**
 * One customer's whole flow through `base`: token, SMS, bind, consent request, accept. Stops at
 * the first failure; answers whether that failure was the instance being unreachable.
 */
async function flow(
  base: string,
  label: string,
  tenant: TenantCredentials,
  ledger: Ledger,
): Promise<{ unreachable: boolean }> {
  ledger.flows++;
  const fail = (step: string, answer: { failure: string; network?: boolean }) => {
    const key = `${label} ${step}: ${answer.failure}`;
    ledger.failures[key] = (ledger.failures[key] ?? 0) + 1;
    return { unreachable: !!answer.network };
  };
  const acknowledged = () => (ledger.acknowledged[label] = (ledger.acknowledged[label] ?? 0) + 1);
  const bound = await bindNewDevice(http, base, tenant);
  if (!bound.ok) return fail(bound.step, bound);
  ledger.bindings.set(bound.binding.id, bound.registrationId);
  acknowledged();

  const spTransactionID = `tx-${randomUUID()}`;
  const requested = await http.mutate(base, tenant, REQUEST_CONSENT, 'requestConsent', {
    spTransactionID,
    merchantCustomerId: bound.merchantCustomerId,
    purpose: 'fault test',
  });
  if (!requested.ok) return fail('requestConsent', requested);
  ledger.consents.set(spTransactionID, requested.body.consentTransaction.status);
  acknowledged();

  const decided = await http.mutate(base, tenant, DECIDE_CONSENT, 'decideConsent', {
    spId: tenant.spId,
    spTransactionID,
    decision: 'ACCEPT',
    deviceFingerprint: bound.binding.fingerprint,
  });
  if (!decided.ok) return fail('decideConsent', decided);
  ledger.consents.set(spTransactionID, decided.body.consentTransaction.status);
  acknowledged();
  return { unreachable: false };
}

// ---------------------------------------------------------------------------------------------

let db: PostgresDatabase | undefined;
let dataDir: string | undefined;
let redis: { stop(): Promise<void> } | undefined;
let listener: Redis | undefined;
const services: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop(5_000).catch(() => undefined)));
  listener?.disconnect();
  await redis?.stop();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('SIGKILL of one instance mid-load', () => {
  it('loses no acknowledged binding or consent and no event; the outbox drains', async () => {
    let tenant: TenantCredentials;
    ({ db, tenant } = await faultDatabaseWithTenant('SIGKILL', SECRETS_KEY));
    dataDir = mkdtempSync(join(tmpdir(), 'bindery-fault-sigkill-'));
    const redisPort = await freePort();
    redis = await startRedis(redisPort);

    // Everything the instances put on the shared channel, by eventId.
    listener = new Redis(redisPort, '127.0.0.1', { lazyConnect: true });
    const heard = new Map<string, number>();
    listener.on('message', (_channel: string, message: string) => {
      const { eventId } = JSON.parse(message) as { eventId: string };
      heard.set(eventId, (heard.get(eventId) ?? 0) + 1);
    });
    await listener.connect();
    await listener.subscribe(EVENT_CHANNEL);

    const env = faultServiceEnv(db.url, SECRETS_KEY, dataDir, {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      OUTBOX_POLL_INTERVAL_MS: '50',
    });
    const [a, b] = await Promise.all([startServiceProcess(env), startServiceProcess(env)]);
    services.push(a, b);

    const ledger: Ledger = {
      bindings: new Map(),
      consents: new Map(),
      acknowledged: {},
      failures: {},
      flows: 0,
    };
    // One flow through each instance first: both warm, and A has acknowledged writes to lose.
    await Promise.all([
      flow(a.url, 'A warm-up', tenant, ledger),
      flow(b.url, 'B warm-up', tenant, ledger),
    ]);
    let aKilledAt = Infinity;
    const t0 = Date.now();
    const phase = (name: string) => (Date.now() < aKilledAt ? name : `${name} after A's kill`);
    const client = async (first: ServiceProcess) => {
      let target = first;
      for (let i = 0; i < MAX_FLOWS_PER_CLIENT && Date.now() - t0 < LOAD_MS; i++) {
        const name = target === a ? 'A' : 'B';
        const { unreachable } = await flow(target.url, phase(name), tenant, ledger);
        // A load balancer stops sending work to an instance it cannot reach.
        if (unreachable && target === a) target = b;
      }
    };
    const clients = [
      ...Array.from({ length: CLIENTS_PER_INSTANCE }, () => client(a)),
      ...Array.from({ length: CLIENTS_PER_INSTANCE }, () => client(b)),
    ];
    const kill = (async () => {
      while (
        (ledger.acknowledged.A ?? 0) < KILL_A_AFTER_WRITES &&
        Date.now() - t0 < KILL_A_AT_THE_LATEST_MS
      )
        await sleep(20);
      aKilledAt = Date.now();
      a.child.kill('SIGKILL');
      return a.exited;
    })();
    await Promise.all(clients);
    const aExit = await kill;
    const loadMs = Date.now() - t0;

    const bAlive = b.child.exitCode === null && b.child.signalCode === null;
    const bHealthz = await fetch(`${b.url}/healthz`).then(
      (r) => r.status,
      () => 0,
    );

    // With B alone, every outbox row ends published (A's unfinished rows included).
    const pendingWithBAlone = await untilAllPublished(db.url, 15_000);

    // A restarts and serves; the outbox stays drained.
    const a2 = await startServiceProcess(env);
    services.push(a2);
    const restarted: Ledger = {
      bindings: new Map(),
      consents: new Map(),
      acknowledged: {},
      failures: {},
      flows: 0,
    };
    await flow(a2.url, 'A restarted', tenant, restarted);
    restarted.bindings.forEach((reg, id) => ledger.bindings.set(id, reg));
    restarted.consents.forEach((status, tx) => ledger.consents.set(tx, status));
    const pendingAfterRestart = await untilAllPublished(db.url, 15_000);

    // Every acknowledged write, looked up in the database.
    const stored = await onPostgres(db.url, async (c) => {
      const bindings = await c.query<{ id: string; registration_id: string; status: string }>(
        `select b.id, b.registration_id, b.status from device_binding b where b.id = any($1)`,
        [[...ledger.bindings.keys()]],
      );
      const consents = await c.query<{ sp_transaction_id: string; status: string }>(
        'select sp_transaction_id, status from consent_transaction where sp_transaction_id = any($1)',
        [[...ledger.consents.keys()]],
      );
      const events = await c.query<{ payload: string }>('select payload from outbox_event');
      return {
        bindings: new Map(bindings.rows.map((r) => [r.id, r])),
        consents: new Map(consents.rows.map((r) => [r.sp_transaction_id, r.status])),
        eventIds: events.rows.map((r) => (JSON.parse(r.payload) as { eventId: string }).eventId),
      };
    });
    const lostBindings = [...ledger.bindings].filter(([id, registrationId]) => {
      const row = stored.bindings.get(id);
      return !row || row.registration_id !== registrationId || row.status !== 'ACTIVE';
    });
    // A consent acknowledged TRIGGERED may since have been accepted by a decide whose answer was
    // lost with A; one acknowledged ACCEPTED must be ACCEPTED.
    const lostConsents = [...ledger.consents].filter(([tx, status]) => {
      const now = stored.consents.get(tx);
      return !(now === status || (status === 'TRIGGERED' && now === 'ACCEPTED'));
    });

    // Every committed event reached the shared channel (give the last publishes a moment).
    const notHeard = () => stored.eventIds.filter((id) => !heard.has(id));
    const until = Date.now() + 5_000;
    while (notHeard().length > 0 && Date.now() < until) await sleep(100);
    const eventsNotHeard = notHeard();
    const publishedTwice = [...heard.values()].filter((n) => n > 1).length;

    const [bExit, a2Exit] = await Promise.all([b.stop(), a2.stop()]);
    const unhandled = [b, a2].flatMap((s) =>
      unhandledErrorLines(s.output(), { knexNoticesExpected: true }),
    );

    console.log(
      JSON.stringify(
        {
          suite: 'sigkill',
          clients: CLIENTS_PER_INSTANCE * 2,
          loadMs,
          aKilledAtMs: aKilledAt - t0,
          aExit,
          flows: ledger.flows,
          acknowledged: ledger.acknowledged,
          failures: ledger.failures,
          bindingsAcknowledged: ledger.bindings.size,
          consentsAcknowledged: ledger.consents.size,
          lostBindings: lostBindings.length,
          lostConsents: lostConsents.length,
          outboxRows: stored.eventIds.length,
          pendingWithBAlone,
          pendingAfterRestart,
          eventsNotHeard: eventsNotHeard.length,
          eventsHeardMoreThanOnce: publishedTwice,
          flowThroughRestartedA: restarted.failures,
          exits: { b: bExit, a2: a2Exit },
          serviceB: errorLogCounts(b.output()),
          unhandled: unhandled.slice(0, 20),
        },
        null,
        2,
      ),
    );

    expect(aExit).toEqual({ code: null, signal: 'SIGKILL' });
    expect((ledger.acknowledged['A warm-up'] ?? 0) + (ledger.acknowledged.A ?? 0)).toBeGreaterThan(
      0,
    );
    // B kept serving through A's death, and served through it.
    expect(bAlive).toBe(true);
    expect(bHealthz).toBe(200);
    expect(ledger.acknowledged["B after A's kill"] ?? 0).toBeGreaterThan(0);
    // No acknowledged write lost, whichever instance acknowledged it.
    expect(lostBindings).toEqual([]);
    expect(lostConsents).toEqual([]);
    // Every event committed, published and heard on the shared channel.
    expect(pendingWithBAlone).toBe(0);
    expect(pendingAfterRestart).toBe(0);
    expect(eventsNotHeard).toEqual([]);
    // A restarted and served; both stop cleanly with nothing unhandled.
    expect(restarted.failures).toEqual({});
    expect(restarted.bindings.size).toBe(1);
    expect(unhandled).toEqual([]);
    expect(bExit).toEqual({ code: 0, signal: null });
    expect(a2Exit).toEqual({ code: 0, signal: null });
  }, 60_000);
});
