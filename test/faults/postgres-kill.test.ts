/**
 * Fault: PostgreSQL drops every connection of the service, several times, under load.
 *
 * One built server process (dist/src/main.js) on a fresh PostgreSQL database serves 20 concurrent
 * clients, each looping requestSmsToken -> signed SMS webhook -> bindDevice for about 8 s. During
 * the load the test terminates every backend of that database (`pg_terminate_backend`) four
 * times. Requests caught by a kill may fail; what must hold is: the process never crashes or
 * logs an unhandled error, it recovers by itself, and every write it acknowledged is in the
 * database afterwards, with its outbox events published.
 *
 * Always runs on PostgreSQL: on DATABASE_URL's server when that is a postgres:// URL, otherwise
 * on postgres://postgres@127.0.0.1:5432/postgres (CI and these machines always run it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config';
import { migrate, openOrm } from '../../src/persistence/orm';
import { type TenantCredentials, TenantService } from '../../src/services/tenant-service';
import { bindInput, CUSTOMER_MOBILE } from '../support/flows';
import { BIND_DEVICE, REQUEST_SMS_TOKEN } from '../support/operations';
import { freePort } from '../support/process';
import { VMN_NUMBER, VMN_SECRET } from '../support/server';
import {
  createPostgresDatabase,
  onPostgres,
  type PostgresDatabase,
  postgresServerUrl,
} from '../support/postgres';

const root = resolve(__dirname, '..', '..');
const SECRETS_KEY = '33'.repeat(32);
const CLIENTS = 20;
const LOAD_MS = 8_000;
/** Each client stops after this many flows even if time is left. */
const MAX_FLOWS_PER_CLIENT = 150;
const REQUEST_TIMEOUT_MS = 5_000;
/** When, from the start of the load, every backend of the database is terminated. */
const KILLS_AT_MS = [1_500, 3_000, 4_500, 6_000];

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a database of our own, always.

/** Terminates every backend connected to `database`; returns how many it terminated. */
async function terminateBackends(database: string): Promise<number> {
  return onPostgres(postgresServerUrl(), async (c) => {
    const result = await c.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return result.rowCount ?? 0;
  });
}

// ---------------------------------------------------------------------------------------------
// The built service in its own process, with its pid, exit status and output at hand.

interface Service {
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM; resolves with the exit status, or SIGKILLs it after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * knex prints one plain-text line when its pool discards a connection the server closed
 * (`Connection Error: error: terminating connection due to administrator command`). That is the
 * pool noticing the fault and recovering, not an error going unhandled: counted, not failed on.
 */
const KNEX_DISCARDED_CONNECTION = /^Connection Error: /;

/**
 * Lines of the service's output that signal an error nobody handled: anything that is neither a
 * pino JSON line nor knex's discarded-connection notice (Node prints uncaught errors and their
 * stacks as plain text), and any JSON line that is fatal or speaks of an unhandled or uncaught
 * error.
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

/** What the service said while the faults hit: error-level messages counted, knex's notices too. */
function serviceReport(output: string): Record<string, number> {
  const counts: Record<string, number> = {};
  const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  for (const line of output.split('\n')) {
    if (KNEX_DISCARDED_CONNECTION.test(line)) count('knex: Connection Error (plain text)');
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      if ((entry.level ?? 0) >= 50) count(`error log: ${(entry.msg ?? '?').slice(0, 60)}`);
    } catch {
      // not JSON: unhandledErrorLines reports it
    }
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Clients with a deadline on every request; outcomes are recorded, never thrown.

type Answer = { ok: true; body: any } | { ok: false; failure: string };

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: any } | { failure: string }> {
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
      return { failure: `http ${response.status} (not JSON)` };
    }
  } catch (error) {
    return { failure: `network ${(error as Error).name}` };
  }
}

/** A GraphQL mutation's payload when it answered 200 with no errors at any level. */
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
  if ('failure' in answer) return { ok: false, failure: answer.failure };
  if (answer.status !== 200) return { ok: false, failure: `http ${answer.status}` };
  const graphqlError = answer.body.errors?.[0];
  if (graphqlError) {
    // Counted apart: an error answer that hands the caller the failed SQL statement.
    const sql = /\b(select|insert into|update|delete from|commit)\b/i.test(graphqlError.message)
      ? ' (SQL in message)'
      : '';
    return { ok: false, failure: `graphql ${graphqlError.extensions?.code ?? 'error'}${sql}` };
  }
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
  if ('failure' in answer) return { ok: false, failure: `sms ${answer.failure}` };
  if (answer.status !== 200) return { ok: false, failure: `sms http ${answer.status}` };
  return { ok: true, body: answer.body };
}

interface Ledger {
  /** Registration ids of acknowledged requestSmsToken calls. */
  registrations: Set<string>;
  /** Device binding id -> registration id, of acknowledged bindDevice calls. */
  bindings: Map<string, string>;
  /** Time (ms since the load started) of each acknowledged bind. */
  boundAt: number[];
  failures: Record<string, number>;
  flows: number;
}

/** One customer's whole flow: token, SMS from the customer's SIM, bind. Stops at the first failure. */
async function flow(base: string, tenant: TenantCredentials, ledger: Ledger, t0: number) {
  ledger.flows++;
  const fail = (failure: string) =>
    (ledger.failures[failure] = (ledger.failures[failure] ?? 0) + 1);
  const attempt = {
    merchantCustomerId: `cust-${randomUUID()}`,
    deviceId: `device-${randomUUID()}`,
    os: 'android',
    ssid: `ssid-${randomUUID().slice(0, 8)}`,
  };
  const issued = await mutate(base, tenant, REQUEST_SMS_TOKEN, 'requestSmsToken', attempt);
  if (!issued.ok) return fail(`requestSmsToken: ${issued.failure}`);
  ledger.registrations.add(issued.body.registration.id);

  const sms = await reportSms(base, issued.body.smsContent);
  if (!sms.ok) return fail(sms.failure);

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
  if (!bound.ok) return fail(`bindDevice: ${bound.failure}`);
  ledger.bindings.set(bound.body.deviceBinding.id, issued.body.registration.id);
  ledger.boundAt.push(Date.now() - t0);
}

// ---------------------------------------------------------------------------------------------

let db: PostgresDatabase | undefined;
let dataDir: string | undefined;
let service: Service | undefined;

afterAll(async () => {
  await service?.stop(5_000).catch(() => undefined);
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('PostgreSQL terminates the service’s connections under load', () => {
  it('the process survives, recovers by itself and loses no acknowledged write', async () => {
    db = await createPostgresDatabase(postgresServerUrl(), 'bindery_fault');
    dataDir = mkdtempSync(join(tmpdir(), 'bindery-fault-pgkill-'));
    const orm = await openOrm(loadConfig({ DATABASE_URL: db.url, SECRETS_KEY }).database);
    let tenant: TenantCredentials;
    try {
      await migrate(orm);
      tenant = await new TenantService({
        orm,
        secretsKey: Buffer.from(SECRETS_KEY, 'hex'),
      }).createTenant({ merchantId: 'PGKILL', merchantChannelId: 'PGKILLAPP' });
    } finally {
      await orm.close(true);
    }
    service = await startService({
      DATABASE_URL: db.url,
      SECRETS_KEY,
      DATA_DIR: dataDir,
      VMN_NUMBERS: VMN_NUMBER,
      VMN_WEBHOOK_SECRET: VMN_SECRET,
      DEMO_TENANT: 'false',
      OUTBOX_POLL_INTERVAL_MS: '50',
    });
    const base = service.url;

    const ledger: Ledger = {
      registrations: new Set(),
      bindings: new Map(),
      boundAt: [],
      failures: {},
      flows: 0,
    };
    const t0 = Date.now();
    const clients = Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < MAX_FLOWS_PER_CLIENT && Date.now() - t0 < LOAD_MS; i++) {
        await flow(base, tenant, ledger, t0);
      }
    });
    const terminated: number[] = [];
    const kills = (async () => {
      for (const at of KILLS_AT_MS) {
        await sleep(Math.max(0, t0 + at - Date.now()));
        terminated.push(await terminateBackends(db!.name));
      }
    })();
    await Promise.all([...clients, kills]);
    const loadMs = Date.now() - t0;

    // Recovery, by itself: binds acknowledged after the last kill, and a fresh flow once the load
    // is over succeeds at the first try.
    const lastKill = KILLS_AT_MS[KILLS_AT_MS.length - 1];
    const boundAfterLastKill = ledger.boundAt.filter((at) => at > lastKill + 200).length;
    const after: Ledger = {
      registrations: new Set(),
      bindings: new Map(),
      boundAt: [],
      failures: {},
      flows: 0,
    };
    await flow(base, tenant, after, t0);
    after.registrations.forEach((id) => ledger.registrations.add(id));
    after.bindings.forEach((registrationId, id) => ledger.bindings.set(id, registrationId));
    const crashed = service.child.exitCode !== null || service.child.signalCode !== null;
    const healthz = await fetch(`${base}/healthz`).then(
      (r) => r.status,
      () => 0,
    );

    // Every acknowledged write, looked up in the database.
    const bindingIds = [...ledger.bindings.keys()];
    const registrationIds = [...ledger.registrations];
    const stored = await onPostgres(db.url, async (c) => {
      const registrations = await c.query<{ id: string }>(
        'select id from registration where id = any($1)',
        [registrationIds],
      );
      const bindings = await c.query<{ id: string; registration_id: string; status: string }>(
        `select b.id, b.registration_id, r.status from device_binding b
           join registration r on r.id = b.registration_id where b.id = any($1)`,
        [bindingIds],
      );
      return { registrations: registrations.rows, bindings: bindings.rows };
    });
    const storedRegistrations = new Set(stored.registrations.map((r) => r.id));
    const lostRegistrations = registrationIds.filter((id) => !storedRegistrations.has(id));
    const storedBindings = new Map(stored.bindings.map((b) => [b.id, b]));
    const lostBindings = bindingIds.filter((id) => !storedBindings.has(id));
    const wrongBindings = [...ledger.bindings].filter(([id, registrationId]) => {
      const row = storedBindings.get(id);
      return row && (row.registration_id !== registrationId || row.status !== 'BOUND');
    });

    // Their events: committed with them, and all published once the load is over.
    let unpublished = -1;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      unpublished = await onPostgres(db.url, async (c) =>
        Number(
          (await c.query('select count(*) as n from outbox_event where published_at is null'))
            .rows[0].n,
        ),
      );
      if (unpublished === 0) break;
      await sleep(100);
    }
    const committedEvents = await onPostgres(db.url, async (c) => {
      const rows = await c.query<{ aggregate_id: string; payload: string }>(
        'select aggregate_id, payload from outbox_event where aggregate_id = any($1)',
        [[...bindingIds, ...registrationIds]],
      );
      return new Set(rows.rows.map((r) => `${r.aggregate_id}:${JSON.parse(r.payload).status}`));
    });
    const missingEvents = [
      ...registrationIds.map((id) => `${id}:PENDING_SMS`),
      ...[...ledger.bindings].flatMap(([id, reg]) => [`${reg}:BOUND`, `${id}:ACTIVE`]),
    ].filter((event) => !committedEvents.has(event));

    const stopStarted = Date.now();
    const stopped = crashed ? null : await service.stop();
    const stopMs = Date.now() - stopStarted;
    const output = service.output();
    const unhandled = unhandledErrorLines(output);

    console.log(
      JSON.stringify(
        {
          suite: 'postgres-kill',
          clients: CLIENTS,
          loadMs,
          flows: ledger.flows,
          failures: ledger.failures,
          backendsTerminated: terminated,
          registrationsAcknowledged: registrationIds.length,
          bindingsAcknowledged: bindingIds.length,
          boundAfterLastKill,
          flowAfterLoad: after.failures,
          lostRegistrations: lostRegistrations.length,
          lostBindings: lostBindings.length,
          missingEvents: missingEvents.length,
          unpublishedEvents: unpublished,
          stopped,
          stopMs,
          service: serviceReport(output),
          unhandled: unhandled.slice(0, 20),
        },
        null,
        2,
      ),
    );

    // The process never crashed, answered /healthz throughout, and logged nothing unhandled.
    expect(crashed).toBe(false);
    expect(healthz).toBe(200);
    expect(unhandled).toEqual([]);
    // It recovered by itself.
    expect(after.failures).toEqual({});
    expect(after.bindings.size).toBe(1);
    expect(boundAfterLastKill).toBeGreaterThan(0);
    // No acknowledged write and no event of one is lost.
    expect(lostRegistrations).toEqual([]);
    expect(lostBindings).toEqual([]);
    expect(wrongBindings).toEqual([]);
    expect(missingEvents).toEqual([]);
    expect(unpublished).toBe(0);
    // SIGTERM still stops it cleanly.
    expect(stopped).toEqual({ code: 0, signal: null });
  }, 60_000);
});
