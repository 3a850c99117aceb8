/**
 * Fault: SIGTERM (a deploy, a scale-in) while requests are in flight and subscriptions are open.
 *
 * One built server process on a fresh PostgreSQL database. Thirty bindDevice calls are sent at
 * once and held in flight inside the service: the test locks their registration rows, so each
 * bind's update waits in PostgreSQL (or for a pooled connection behind those that wait). With
 * them held and a graphql-ws subscription open, the process gets SIGTERM; the lock is released
 * half a second later (the stop cannot finish before: the requests are still in flight). What must hold: every one of the 30 requests is answered 2xx and bound;
 * the WebSocket is closed with 1001 (going away); the process exits 0 within 10 s; the binds'
 * events are committed and published before it exits.
 *
 * A second case: a subscriber whose socket stops reading (a stalled phone, a half-open
 * connection) never answers the close handshake. The stop must not wait for it past its bound.
 *
 * Always runs on PostgreSQL: on DATABASE_URL's server when that is a postgres:// URL, otherwise
 * on postgres://postgres@127.0.0.1:5432/postgres (CI and these machines always run it).
 */
import { Client } from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { DeadlineClient, tenantHeaders } from '../support/fault-client';
import { faultDatabaseWithTenant, unpublishedCount } from '../support/fault-database';
import { faultServiceEnv, unhandledErrorLines } from '../support/fault-service';
import { bindInput, newCustomerDevice } from '../support/flows';
import { BIND_DEVICE, REQUEST_SMS_TOKEN } from '../support/operations';
import { onPostgres, postgresServerUrl } from '../support/postgres';
import { startServiceProcess } from '../support/process';
import { sleep, within } from '../support/wait';
import { REGISTRATION_CHANGED, subscribe, wsClient } from '../support/ws';

const SECRETS_KEY = '55'.repeat(32);
const IN_FLIGHT = 30;
/** src/app.ts opens the PostgreSQL pool with 10 connections: that many binds wait in PostgreSQL. */
const POOL_SIZE = 10;
/** How long the process may take to stop after SIGTERM (src/main.ts gives itself 10 s). */
const STOP_BOUND_MS = 10_000;
const http = new DeadlineClient(20_000);

interface Verified {
  registrationId: string;
  input: Record<string, unknown>;
}

/** A registration whose SMS arrived: ready to bind. Throws on any failure (this is setup). */
async function smsVerified(base: string, tenant: TenantCredentials): Promise<Verified> {
  const attempt = newCustomerDevice();
  const issued = await http.mutate(base, tenant, REQUEST_SMS_TOKEN, 'requestSmsToken', attempt);
  if (!issued.ok) throw new Error(`requestSmsToken: ${issued.failure}`);
  const sms = await http.reportSms(base, issued.body.smsContent);
  if (!sms.ok) throw new Error(`sms: ${sms.failure}`);
  const registrationId = issued.body.registration.id as string;
  return {
    registrationId,
    input: bindInput({ ...attempt, registrationId, smsContent: issued.body.smsContent }),
  };
}

/** `count` verified registrations, a few at a time. */
async function manyVerified(
  base: string,
  tenant: TenantCredentials,
  count: number,
): Promise<Verified[]> {
  const all: Verified[] = [];
  while (all.length < count) {
    const batch = Math.min(5, count - all.length);
    all.push(
      ...(await Promise.all(Array.from({ length: batch }, () => smsVerified(base, tenant)))),
    );
  }
  return all;
}

/** Backends of `database` waiting on a lock. */
async function lockWaiters(database: string): Promise<number> {
  return onPostgres(postgresServerUrl(), async (c) =>
    Number(
      (
        await c.query(
          `select count(*) as n from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'`,
          [database],
        )
      ).rows[0].n,
    ),
  );
}

// ---------------------------------------------------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
}, 30_000);

/** A database with one tenant and the service on it, all undone after the test. */
async function serviceForTenant(merchantId: string, extraEnv: Record<string, string> = {}) {
  const { db, tenant } = await faultDatabaseWithTenant(merchantId, SECRETS_KEY);
  cleanups.push(() => db.drop());
  const dataDir = mkdtempSync(join(tmpdir(), 'bindery-fault-sigterm-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const service = await startServiceProcess(
    faultServiceEnv(db.url, SECRETS_KEY, dataDir, extraEnv),
  );
  cleanups.push(async () => void (await service.stop(5_000)));
  return { db, tenant, service };
}

describe('SIGTERM', () => {
  it('finishes the 30 requests in flight with 2xx, closes the WebSocket with 1001 and exits 0 within 10 s', async () => {
    const { db, tenant, service } = await serviceForTenant('SIGTERM', {
      OUTBOX_POLL_INTERVAL_MS: '50',
    });

    const ready = await manyVerified(service.url, tenant, IN_FLIGHT);
    const watched = (await manyVerified(service.url, tenant, 1))[0];

    // A subscriber, live: it has the current state and waits for changes.
    let closeCode: number | undefined;
    let onClosed: () => void = () => undefined;
    const closed = new Promise<void>((done) => (onClosed = done));
    const feed = subscribe(
      wsClient(service.url, tenant, (code) => {
        closeCode = code;
        onClosed();
      }),
      REGISTRATION_CHANGED,
      { id: watched.registrationId },
    );
    cleanups.push(() => feed.close());
    expect((await feed.untilCount(1)).length).toBe(1);

    // The binds' registration rows are locked: every bind is held inside the service.
    const lock = new Client({ connectionString: db.url });
    await lock.connect();
    cleanups.push(() => lock.end());
    await lock.query('begin');
    await lock.query('select id from registration where id = any($1) for update', [
      ready.map((r) => r.registrationId),
    ]);
    const answers = ready.map((r) =>
      http.post(
        `${service.url}/graphql`,
        JSON.stringify({ query: BIND_DEVICE, variables: { input: r.input } }),
        tenantHeaders(tenant),
      ),
    );
    const until = Date.now() + 15_000;
    let waiting = 0;
    while ((waiting = await lockWaiters(db.name)) < POOL_SIZE && Date.now() < until)
      await sleep(50);
    expect(waiting).toBe(POOL_SIZE);
    await sleep(1_000); // the other 20 are queued for a connection

    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    await sleep(500);
    const aliveWhileInFlight = service.child.exitCode === null;
    await lock.query('commit');
    await within(closed, STOP_BOUND_MS);
    const wsClosedAfterMs = Date.now() - signalledAt;

    const results = await Promise.all(answers);
    const exit = await within(service.exited, STOP_BOUND_MS + 5_000);
    const stopMs = Date.now() - signalledAt;

    const statuses = results.map((r) => ('status' in r ? r.status : r.failure));
    const bound = results.filter(
      (r) =>
        'status' in r &&
        r.status === 200 &&
        r.body.data?.bindDevice?.errors?.length === 0 &&
        r.body.data.bindDevice.deviceBinding?.id,
    ).length;
    const stored = {
      bindings: await onPostgres(db.url, async (c) =>
        Number(
          (
            await c.query(
              'select count(*) as n from device_binding where registration_id = any($1)',
              [ready.map((r) => r.registrationId)],
            )
          ).rows[0].n,
        ),
      ),
      unpublished: await unpublishedCount(db.url),
    };
    console.log(
      JSON.stringify({
        suite: 'sigterm',
        inFlight: IN_FLIGHT,
        waitingInPostgres: waiting,
        statuses: Object.fromEntries(
          [...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length]),
        ),
        bound,
        stored,
        closeCode,
        wsClosedAfterMs,
        aliveWhileInFlight,
        exit,
        stopMs,
      }),
    );

    expect(aliveWhileInFlight).toBe(true);
    expect(closeCode).toBe(1001);
    expect(statuses).toEqual(Array(IN_FLIGHT).fill(200));
    expect(bound).toBe(IN_FLIGHT);
    expect(stored.bindings).toBe(IN_FLIGHT);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(STOP_BOUND_MS);
    // Nothing committed before the stop is left unpublished by it.
    expect(stored.unpublished).toBe(0);
    expect(unhandledErrorLines(service.output())).toEqual([]);
  }, 60_000);

  it('does not wait past its bound for a subscriber that never answers the close handshake', async () => {
    const { tenant, service } = await serviceForTenant('STALLED');
    const watched = (await manyVerified(service.url, tenant, 1))[0];

    // A graphql-ws client speaking the protocol by hand, so the test controls its socket.
    const socket = new WebSocket(`${service.url.replace(/^http/, 'ws')}/graphql`, [
      'graphql-transport-ws',
    ]);
    cleanups.push(async () => socket.terminate());
    const firstEvent = new Promise<unknown>((done, fail) => {
      socket.on('error', fail);
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        if (message.type === 'connection_ack') {
          socket.send(
            JSON.stringify({
              id: '1',
              type: 'subscribe',
              payload: { query: REGISTRATION_CHANGED, variables: { id: watched.registrationId } },
            }),
          );
        }
        if (message.type === 'next') done(message.payload);
      });
    });
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: tenantHeaders(tenant) })),
    );
    expect(await firstEvent).toMatchObject({
      data: { registrationStatusChanged: { status: 'SMS_VERIFIED' } },
    });
    // The phone stalls: its socket stays open but reads nothing more, so it never sees the
    // server's close frame and never answers it.
    (socket as unknown as { _socket: Socket })._socket.pause();

    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    const exit = await within(service.exited, STOP_BOUND_MS + 5_000);
    const stopMs = Date.now() - signalledAt;
    console.log(JSON.stringify({ suite: 'sigterm (stalled subscriber)', exit, stopMs }));

    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(STOP_BOUND_MS);
    expect(unhandledErrorLines(service.output())).toEqual([]);
  }, 60_000);
});
