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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { bindNewDevice, DeadlineClient } from '../support/fault-client';
import { faultDatabaseWithTenant, untilAllPublished } from '../support/fault-database';
import { errorLogCounts, faultServiceEnv, unhandledErrorLines } from '../support/fault-service';
import { type ServiceProcess, startServiceProcess } from '../support/process';
import { onPostgres, type PostgresDatabase, postgresServerUrl } from '../support/postgres';
import { sleep } from '../support/wait';

const SECRETS_KEY = '33'.repeat(32);
const CLIENTS = 20;
const LOAD_MS = 8_000;
/** Each client stops after this many flows even if time is left. */
const MAX_FLOWS_PER_CLIENT = 150;
const http = new DeadlineClient(5_000);
/** When, from the start of the load, every backend of the database is terminated. */
const KILLS_AT_MS = [1_500, 3_000, 4_500, 6_000];

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
  const outcome = await bindNewDevice(http, base, tenant, (id) => ledger.registrations.add(id));
  if (!outcome.ok) {
    const failure = `${outcome.step}: ${outcome.failure}`;
    ledger.failures[failure] = (ledger.failures[failure] ?? 0) + 1;
    return;
  }
  ledger.bindings.set(outcome.binding.id, outcome.registrationId);
  ledger.boundAt.push(Date.now() - t0);
}

// ---------------------------------------------------------------------------------------------

let db: PostgresDatabase | undefined;
let dataDir: string | undefined;
let service: ServiceProcess | undefined;

afterAll(async () => {
  await service?.stop(5_000).catch(() => undefined);
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('PostgreSQL terminates the service’s connections under load', () => {
  it('the process survives, recovers by itself and loses no acknowledged write', async () => {
    let tenant: TenantCredentials;
    ({ db, tenant } = await faultDatabaseWithTenant('PGKILL', SECRETS_KEY));
    dataDir = mkdtempSync(join(tmpdir(), 'bindery-fault-pgkill-'));
    service = await startServiceProcess(
      faultServiceEnv(db.url, SECRETS_KEY, dataDir, { OUTBOX_POLL_INTERVAL_MS: '50' }),
    );
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
    const unpublished = await untilAllPublished(db.url, 10_000);
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
    const unhandled = unhandledErrorLines(output, { knexNoticesExpected: true });

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
          service: errorLogCounts(output),
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
