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
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config';
import { migrate, openOrm } from '../../src/persistence/orm';
import { type TenantCredentials, TenantService } from '../../src/services/tenant-service';
import { bindInput, CUSTOMER_MOBILE } from '../support/flows';
import { BIND_DEVICE, REQUEST_SMS_TOKEN } from '../support/operations';
import { freePort } from '../support/process';
import { VMN_NUMBER, VMN_SECRET } from '../support/server';
import { REGISTRATION_CHANGED, subscribe, wsClient } from '../support/ws';
import {
  createPostgresDatabase,
  onPostgres,
  type PostgresDatabase,
  postgresServerUrl,
} from '../support/postgres';

const root = resolve(__dirname, '..', '..');
const SECRETS_KEY = '55'.repeat(32);
const IN_FLIGHT = 30;
/** src/app.ts opens the PostgreSQL pool with 10 connections: that many binds wait in PostgreSQL. */
const POOL_SIZE = 10;
/** How long the process may take to stop after SIGTERM (src/main.ts gives itself 10 s). */
const STOP_BOUND_MS = 10_000;
const REQUEST_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a database of our own, always.

/** A migrated database with one tenant, created in-process as an operator's CLI would. */
async function databaseWithTenant(
  merchantId: string,
): Promise<{ db: PostgresDatabase; tenant: TenantCredentials }> {
  const db = await createPostgresDatabase(postgresServerUrl(), 'bindery_fault');
  try {
    const orm = await openOrm(loadConfig({ DATABASE_URL: db.url, SECRETS_KEY }).database);
    try {
      await migrate(orm);
      const tenant = await new TenantService({
        orm,
        secretsKey: Buffer.from(SECRETS_KEY, 'hex'),
      }).createTenant({ merchantId, merchantChannelId: `${merchantId}APP` });
      return { db, tenant };
    } finally {
      await orm.close(true);
    }
  } catch (error) {
    await db.drop();
    throw error;
  }
}

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

/** `promise`'s value, or null when it takes longer than `ms`; leaves no timer behind. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<null>((done) => (timer = setTimeout(() => done(null), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
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

/** Lines that are not pino JSON (Node prints uncaught errors as plain text), or fatal ones. */
function unhandledErrorLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      try {
        return (JSON.parse(line).level ?? 0) >= 60 || /unhandled|uncaught/i.test(line);
      } catch {
        return true;
      }
    });
}

// ---------------------------------------------------------------------------------------------
// Clients.

async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  rawBody?: string,
): Promise<{ status: number; body: any } | { failure: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: rawBody ?? JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      return { status: response.status, body: text.slice(0, 200) };
    }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { failure: `network ${(error as Error).name}${cause ? ` ${cause}` : ''}` };
  }
}

const auth = (tenant: TenantCredentials) => ({
  'x-api-key': tenant.apiKey,
  'x-api-token': tenant.apiToken,
});

interface Verified {
  registrationId: string;
  input: Record<string, unknown>;
}

/** A registration whose SMS arrived: ready to bind. Throws on any failure (this is setup). */
async function smsVerified(base: string, tenant: TenantCredentials): Promise<Verified> {
  const attempt = {
    merchantCustomerId: `cust-${randomUUID()}`,
    deviceId: `device-${randomUUID()}`,
    os: 'android',
    ssid: `ssid-${randomUUID().slice(0, 8)}`,
  };
  const issued = await postJson(
    `${base}/graphql`,
    { query: REQUEST_SMS_TOKEN, variables: { input: attempt } },
    auth(tenant),
  );
  const payload = 'body' in issued ? issued.body.data?.requestSmsToken : undefined;
  if (!payload?.registration) throw new Error(`requestSmsToken: ${JSON.stringify(issued)}`);
  const sms = JSON.stringify({
    messageId: randomUUID(),
    from: CUSTOMER_MOBILE,
    to: VMN_NUMBER,
    content: payload.smsContent,
    receivedAt: new Date().toISOString(),
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const reported = await postJson(
    `${base}/v1/vmn/inbound-sms`,
    undefined,
    {
      'x-timestamp': timestamp,
      'x-signature': createHmac('sha256', VMN_SECRET).update(`${timestamp}.${sms}`).digest('hex'),
    },
    sms,
  );
  if (!('status' in reported) || reported.status !== 200)
    throw new Error(`sms: ${JSON.stringify(reported)}`);
  const registrationId = payload.registration.id as string;
  return {
    registrationId,
    input: bindInput({ ...attempt, registrationId, smsContent: payload.smsContent }),
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

describe('SIGTERM', () => {
  it('finishes the 30 requests in flight with 2xx, closes the WebSocket with 1001 and exits 0 within 10 s', async () => {
    const { db, tenant } = await databaseWithTenant('SIGTERM');
    cleanups.push(() => db.drop());
    const dataDir = mkdtempSync(join(tmpdir(), 'bindery-fault-sigterm-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const service = await startService({
      DATABASE_URL: db.url,
      SECRETS_KEY,
      DATA_DIR: dataDir,
      VMN_NUMBERS: VMN_NUMBER,
      VMN_WEBHOOK_SECRET: VMN_SECRET,
      DEMO_TENANT: 'false',
      OUTBOX_POLL_INTERVAL_MS: '50',
    });
    cleanups.push(async () => void (await service.stop(5_000)));

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
      postJson(
        `${service.url}/graphql`,
        { query: BIND_DEVICE, variables: { input: r.input } },
        auth(tenant),
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
    const stored = await onPostgres(db.url, async (c) => ({
      bindings: Number(
        (
          await c.query(
            'select count(*) as n from device_binding where registration_id = any($1)',
            [ready.map((r) => r.registrationId)],
          )
        ).rows[0].n,
      ),
      unpublished: Number(
        (await c.query('select count(*) as n from outbox_event where published_at is null')).rows[0]
          .n,
      ),
    }));
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
    const { db, tenant } = await databaseWithTenant('STALLED');
    cleanups.push(() => db.drop());
    const dataDir = mkdtempSync(join(tmpdir(), 'bindery-fault-sigterm-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const service = await startService({
      DATABASE_URL: db.url,
      SECRETS_KEY,
      DATA_DIR: dataDir,
      VMN_NUMBERS: VMN_NUMBER,
      VMN_WEBHOOK_SECRET: VMN_SECRET,
      DEMO_TENANT: 'false',
    });
    cleanups.push(async () => void (await service.stop(5_000)));
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
      socket.send(JSON.stringify({ type: 'connection_init', payload: auth(tenant) })),
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
