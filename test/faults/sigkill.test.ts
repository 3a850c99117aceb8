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
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config';
import { migrate, openOrm } from '../../src/persistence/orm';
import { type TenantCredentials, TenantService } from '../../src/services/tenant-service';
import { bindInput, CUSTOMER_MOBILE } from '../support/flows';
import {
  BIND_DEVICE,
  DECIDE_CONSENT,
  REQUEST_CONSENT,
  REQUEST_SMS_TOKEN,
} from '../support/operations';
import { freePort, startRedis } from '../support/process';
import { VMN_NUMBER, VMN_SECRET } from '../support/server';
import {
  createPostgresDatabase,
  onPostgres,
  type PostgresDatabase,
  postgresServerUrl,
} from '../support/postgres';

const root = resolve(__dirname, '..', '..');
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
const REQUEST_TIMEOUT_MS = 5_000;
/** The channel src/events/redis-event-bus.ts fans status events out on. */
const EVENT_CHANNEL = 'bindery:status-events';

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a database of our own, always.

// ---------------------------------------------------------------------------------------------
// The built service in its own process, with its pid, exit status and output at hand.

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Service {
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<Exit>;
  /** Sends SIGTERM; resolves with the exit status, or SIGKILLs it after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<Exit>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startService(env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: env.DATA_DIR ?? root,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Exit>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited at start:\n${output}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the service did not come up:\n${output}`);
    }
    await sleep(100);
  }
  return {
    url,
    child,
    output: () => output,
    exited,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** knex's plain-text notice when its pool discards a connection the server closed. */
const KNEX_DISCARDED_CONNECTION = /^Connection Error: /;

/**
 * Lines that signal an error nobody handled: anything that is neither a pino JSON line nor
 * knex's notice (Node prints uncaught errors and their stacks as plain text), and any JSON line
 * that is fatal or speaks of an unhandled or uncaught error.
 */
function unhandledErrorLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '' && !KNEX_DISCARDED_CONNECTION.test(line))
    .filter((line) => {
      let entry: { level?: number };
      try {
        entry = JSON.parse(line);
      } catch {
        return true;
      }
      return (entry.level ?? 0) >= 60 || /unhandled|uncaught/i.test(line);
    });
}

/** Error-level messages of the service, counted. */
function serviceReport(output: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of output.split('\n')) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      const key = `error log: ${(entry.msg ?? '?').slice(0, 60)}`;
      if ((entry.level ?? 0) >= 50) counts[key] = (counts[key] ?? 0) + 1;
    } catch {
      // not JSON: unhandledErrorLines reports it
    }
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Clients with a deadline on every request; outcomes are recorded, never thrown.

type Answer = { ok: true; body: any } | { ok: false; failure: string; network?: boolean };

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: any } | { failure: string; network: true }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      return { status: response.status, body: { notJson: text.slice(0, 100) } };
    }
  } catch (error) {
    return { failure: `network ${(error as Error).name}`, network: true };
  }
}

async function mutate(
  base: string,
  tenant: TenantCredentials,
  query: string,
  field: string,
  input: Record<string, unknown>,
): Promise<Answer> {
  const answer = await post(`${base}/graphql`, JSON.stringify({ query, variables: { input } }), {
    'x-api-key': tenant.apiKey,
    'x-api-token': tenant.apiToken,
  });
  if ('failure' in answer) return { ok: false, failure: answer.failure, network: true };
  if (answer.status !== 200) return { ok: false, failure: `http ${answer.status}` };
  const graphqlError = answer.body.errors?.[0];
  if (graphqlError)
    return { ok: false, failure: `graphql ${graphqlError.extensions?.code ?? 'error'}` };
  const payload = answer.body.data?.[field];
  if (!payload) return { ok: false, failure: 'no payload' };
  if (payload.errors?.length > 0) return { ok: false, failure: `user ${payload.errors[0].code}` };
  return { ok: true, body: payload };
}

async function reportSms(base: string, content: string): Promise<Answer> {
  const body = JSON.stringify({
    messageId: randomUUID(),
    from: CUSTOMER_MOBILE,
    to: VMN_NUMBER,
    content,
    receivedAt: new Date().toISOString(),
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', VMN_SECRET).update(`${timestamp}.${body}`).digest('hex');
  const answer = await post(`${base}/v1/vmn/inbound-sms`, body, {
    'x-timestamp': timestamp,
    'x-signature': signature,
  });
  if ('failure' in answer) return { ok: false, failure: `sms ${answer.failure}`, network: true };
  if (answer.status !== 200) return { ok: false, failure: `sms http ${answer.status}` };
  return { ok: true, body: answer.body };
}

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
  const fail = (step: string, answer: Answer) => {
    if (answer.ok) return { unreachable: false };
    const key = `${label} ${step}: ${answer.failure}`;
    ledger.failures[key] = (ledger.failures[key] ?? 0) + 1;
    return { unreachable: !!answer.network };
  };
  const acknowledged = () => (ledger.acknowledged[label] = (ledger.acknowledged[label] ?? 0) + 1);
  const attempt = {
    merchantCustomerId: `cust-${randomUUID()}`,
    deviceId: `device-${randomUUID()}`,
    os: 'android',
    ssid: `ssid-${randomUUID().slice(0, 8)}`,
  };
  const issued = await mutate(base, tenant, REQUEST_SMS_TOKEN, 'requestSmsToken', attempt);
  if (!issued.ok) return fail('requestSmsToken', issued);
  const sms = await reportSms(base, issued.body.smsContent);
  if (!sms.ok) return fail('sms', sms);
  const bound = await mutate(
    base,
    tenant,
    BIND_DEVICE,
    'bindDevice',
    bindInput({
      ...attempt,
      registrationId: issued.body.registration.id,
      smsContent: issued.body.smsContent,
    }),
  );
  if (!bound.ok) return fail('bindDevice', bound);
  ledger.bindings.set(bound.body.deviceBinding.id, issued.body.registration.id);
  acknowledged();

  const spTransactionID = `tx-${randomUUID()}`;
  const requested = await mutate(base, tenant, REQUEST_CONSENT, 'requestConsent', {
    spTransactionID,
    merchantCustomerId: attempt.merchantCustomerId,
    purpose: 'fault test',
  });
  if (!requested.ok) return fail('requestConsent', requested);
  ledger.consents.set(spTransactionID, requested.body.consentTransaction.status);
  acknowledged();

  const decided = await mutate(base, tenant, DECIDE_CONSENT, 'decideConsent', {
    spId: tenant.spId,
    spTransactionID,
    decision: 'ACCEPT',
    deviceFingerprint: bound.body.deviceBinding.fingerprint,
  });
  if (!decided.ok) return fail('decideConsent', decided);
  ledger.consents.set(spTransactionID, decided.body.consentTransaction.status);
  acknowledged();
  return { unreachable: false };
}

async function unpublishedCount(url: string): Promise<number> {
  return onPostgres(url, async (c) =>
    Number(
      (await c.query('select count(*) as n from outbox_event where published_at is null')).rows[0]
        .n,
    ),
  );
}

/** Polls until no outbox row is pending or the time is up; answers the last count. */
async function untilAllPublished(url: string, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let pending = await unpublishedCount(url);
  while (pending > 0 && Date.now() < until) {
    await sleep(100);
    pending = await unpublishedCount(url);
  }
  return pending;
}

// ---------------------------------------------------------------------------------------------

let db: PostgresDatabase | undefined;
let dataDir: string | undefined;
let redis: { stop(): Promise<void> } | undefined;
let listener: Redis | undefined;
const services: Service[] = [];

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop(5_000).catch(() => undefined)));
  listener?.disconnect();
  await redis?.stop();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('SIGKILL of one instance mid-load', () => {
  it('loses no acknowledged binding or consent and no event; the outbox drains', async () => {
    db = await createPostgresDatabase(postgresServerUrl(), 'bindery_fault');
    dataDir = mkdtempSync(join(tmpdir(), 'bindery-fault-sigkill-'));
    const redisPort = await freePort();
    redis = await startRedis(redisPort);
    const orm = await openOrm(loadConfig({ DATABASE_URL: db.url, SECRETS_KEY }).database);
    let tenant: TenantCredentials;
    try {
      await migrate(orm);
      tenant = await new TenantService({
        orm,
        secretsKey: Buffer.from(SECRETS_KEY, 'hex'),
      }).createTenant({ merchantId: 'SIGKILL', merchantChannelId: 'SIGKILLAPP' });
    } finally {
      await orm.close(true);
    }

    // Everything the instances put on the shared channel, by eventId.
    listener = new Redis(redisPort, '127.0.0.1', { lazyConnect: true });
    const heard = new Map<string, number>();
    listener.on('message', (_channel: string, message: string) => {
      const { eventId } = JSON.parse(message) as { eventId: string };
      heard.set(eventId, (heard.get(eventId) ?? 0) + 1);
    });
    await listener.connect();
    await listener.subscribe(EVENT_CHANNEL);

    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      SECRETS_KEY,
      DATA_DIR: dataDir,
      VMN_NUMBERS: VMN_NUMBER,
      VMN_WEBHOOK_SECRET: VMN_SECRET,
      DEMO_TENANT: 'false',
      OUTBOX_POLL_INTERVAL_MS: '50',
    };
    const [a, b] = await Promise.all([startService(env), startService(env)]);
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
    const client = async (first: Service) => {
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
    const a2 = await startService(env);
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
    const unhandled = [...unhandledErrorLines(b.output()), ...unhandledErrorLines(a2.output())];

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
          serviceB: serviceReport(b.output()),
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
