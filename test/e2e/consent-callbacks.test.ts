import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type App, createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { ConsentTransaction } from '../../src/persistence/entities';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { graphql } from '../support/clients';
import { boundDevice } from '../support/flows';
import { DECIDE_CONSENT, REQUEST_CONSENT } from '../support/operations';
import { startTestServer, type TestServer, VMN_NUMBER, VMN_SECRET } from '../support/server';
import { UaePassClient, uaePassSignature } from '../support/uaepass';
import { waitFor } from '../support/wait';

/** Callbacks are due at once; a short poll keeps the retries after a clock jump quick. */
const FAST_CALLBACKS = { CALLBACK_POLL_INTERVAL_MS: '50' };

interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: any;
  answeredWith: number;
}

/** A service provider's callback endpoint: records each POST and answers as scripted (200 unless told). */
async function startReceiver() {
  const calls: ReceivedCallback[] = [];
  const scripts = new Map<string, number[]>();
  const state = { down: false };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(rawBody);
      const status = state.down ? 503 : (scripts.get(body.spTransactionID)?.shift() ?? 200);
      calls.push({ headers: request.headers, rawBody, body, answeredWith: status });
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    scripts,
    callsFor: (spTransactionID: string) =>
      calls.filter((call) => call.body.spTransactionID === spTransactionID),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

let server: TestServer;
let tenant: TenantCredentials;
let receiver: Receiver;

beforeAll(async () => {
  server = await startTestServer(FAST_CALLBACKS);
  tenant = await server.newTenant();
  receiver = await startReceiver();
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

/** The callback carries the UAE PASS signature: HMAC over `timestamp.rawBody` with the tenant's secret. */
function expectSignedBy(call: ReceivedCallback, secret: string, serverNow: Date): void {
  const timestamp = call.headers['x-timestamp'] as string;
  expect(timestamp).toMatch(/^\d+$/);
  expect(Math.abs(Number(timestamp) - serverNow.getTime() / 1000)).toBeLessThan(300);
  expect(call.headers['content-type']).toBe('application/json');
  expect(call.headers['x-uaepass-signature']).toBe(
    uaePassSignature(secret, timestamp, call.rawBody),
  );
}

async function consentId(app: App, spTransactionID: string, spId = tenant.spId): Promise<string> {
  const consent = await app.orm.em
    .fork()
    .findOneOrFail(ConsentTransaction, { spId, spTransactionId: spTransactionID });
  return consent.id;
}

const decide = (spTransactionID: string, fingerprint: string, url = server.url, caller = tenant) =>
  graphql(
    url,
    DECIDE_CONSENT,
    {
      input: {
        spId: caller.spId,
        spTransactionID,
        decision: 'ACCEPT',
        deviceFingerprint: fingerprint,
      },
    },
    caller,
  );

describe('consent callbacks over HTTP', () => {
  it('an accepted consent calls its callbackUrl signed, and a 500 is recorded and retried until delivered', async () => {
    const { attempt, binding } = await boundDevice(server.url, tenant);
    const uaePass = await UaePassClient.connect(server.url, tenant, server.clock.now);
    receiver.scripts.set('tx-cb-accept', [500, 200]);
    const sent = await uaePass.send({
      spTransactionID: 'tx-cb-accept',
      identifier: attempt.merchantCustomerId,
      purpose: 'KYC share',
      callbackUrl: `${receiver.url}/uaepass/callback?ref=42`,
    });
    expect(sent.status).toBe(200);
    expect(sent.body.data.status).toBe('TRIGGERED');

    expect((await decide('tx-cb-accept', binding.fingerprint)).data?.decideConsent.errors).toEqual(
      [],
    );

    const first = await waitFor(
      async () => receiver.callsFor('tx-cb-accept'),
      (calls) => calls.length >= 1,
    );
    expect(first[0].body).toEqual({
      spTransactionID: 'tx-cb-accept',
      uaePassTransactionID: sent.body.data.uaePassTransactionID,
      status: 'ACCEPTED',
    });
    expectSignedBy(first[0], tenant.signingSecret, server.clock.now());

    const id = await consentId(server.app, 'tx-cb-accept');
    const failed = await waitFor(
      () => server.app.callbacks.deliveriesFor(id),
      ([row]) => row?.attempts === 1,
    );
    expect(failed).toEqual([
      expect.objectContaining({ state: 'PENDING', attempts: 1, lastStatus: 500 }),
    ]);
    expect(failed[0].nextAttemptAt!.getTime()).toBeGreaterThan(failed[0].lastAttemptAt!.getTime());

    // Jump past the first backoff (at most 1 s) instead of waiting it out.
    server.clock.advance(1000);
    const delivered = await waitFor(
      () => server.app.callbacks.deliveriesFor(id),
      ([row]) => row?.state === 'DELIVERED',
    );
    expect(delivered).toEqual([
      expect.objectContaining({
        state: 'DELIVERED',
        attempts: 2,
        lastStatus: 200,
        lastError: null,
      }),
    ]);
    const calls = receiver.callsFor('tx-cb-accept');
    expect(calls.map((call) => call.answeredWith)).toEqual([500, 200]);
    expectSignedBy(calls[1], tenant.signingSecret, server.clock.now());
    // The same delivery, byte for byte, so the receiver can tell a retry from a new settlement.
    expect(calls[1].rawBody).toBe(calls[0].rawBody);
    expect(calls[1].headers['x-callback-delivery-id']).toBe(
      calls[0].headers['x-callback-delivery-id'],
    );
  });

  it('a consent that expires calls back with EXPIRED', async () => {
    const { attempt } = await boundDevice(server.url, tenant);
    const uaePass = await UaePassClient.connect(server.url, tenant, server.clock.now);
    const sent = await uaePass.send({
      spTransactionID: 'tx-cb-expire',
      identifier: attempt.merchantCustomerId,
      purpose: 'KYC share',
      expiresInSeconds: 1,
      callbackUrl: `${receiver.url}/uaepass/callback`,
    });
    expect(sent.body.data.status).toBe('TRIGGERED');

    server.clock.advance(2000);
    const calls = await waitFor(
      async () => receiver.callsFor('tx-cb-expire'),
      (received) => received.length >= 1,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0].body).toEqual({
      spTransactionID: 'tx-cb-expire',
      uaePassTransactionID: sent.body.data.uaePassTransactionID,
      status: 'EXPIRED',
    });
    expectSignedBy(calls[0], tenant.signingSecret, server.clock.now());
  });

  it('a consent that cannot start (no bound device) calls back INIT_FAILED at once', async () => {
    const uaePass = await UaePassClient.connect(server.url, tenant, server.clock.now);
    const sent = await uaePass.send({
      spTransactionID: 'tx-cb-init-failed',
      identifier: 'customer-without-device',
      purpose: 'KYC share',
      callbackUrl: `${receiver.url}/uaepass/callback`,
    });
    expect(sent.body.data.status).toBe('INIT_FAILED');
    const calls = await waitFor(
      async () => receiver.callsFor('tx-cb-init-failed'),
      (received) => received.length >= 1,
    );
    expect(calls.map((call) => call.body.status)).toEqual(['INIT_FAILED']);
  });

  it('a consent without a callbackUrl settles without calling anybody', async () => {
    const { attempt, binding } = await boundDevice(server.url, tenant);
    const uaePass = await UaePassClient.connect(server.url, tenant, server.clock.now);
    await uaePass.send({
      spTransactionID: 'tx-cb-quiet',
      identifier: attempt.merchantCustomerId,
      purpose: 'KYC share',
    });
    await decide('tx-cb-quiet', binding.fingerprint);
    // A later consent's callback arriving proves the dispatcher has run since the quiet one settled.
    await uaePass.send({
      spTransactionID: 'tx-cb-after-quiet',
      identifier: attempt.merchantCustomerId,
      purpose: 'KYC share',
      callbackUrl: `${receiver.url}/uaepass/callback`,
    });
    await decide('tx-cb-after-quiet', binding.fingerprint);
    await waitFor(
      async () => receiver.callsFor('tx-cb-after-quiet'),
      (calls) => calls.length >= 1,
    );

    expect(receiver.callsFor('tx-cb-quiet')).toEqual([]);
    const id = await consentId(server.app, 'tx-cb-quiet');
    expect(await server.app.callbacks.deliveriesFor(id)).toEqual([]);
  });

  it('a delivery still pending when the app stops is delivered by the next app on the same database', async () => {
    const first = await startTestServer(FAST_CALLBACKS);
    const owner = await first.newTenant('RESTART');
    const { attempt, binding } = await boundDevice(first.url, owner);
    const uaePass = await UaePassClient.connect(first.url, owner, first.clock.now);
    const down = await startReceiver();
    down.state.down = true;
    let restarted: App | undefined;
    try {
      await uaePass.send({
        spTransactionID: 'tx-cb-restart',
        identifier: attempt.merchantCustomerId,
        purpose: 'KYC share',
        callbackUrl: `${down.url}/uaepass/callback`,
      });
      const decided = await decide('tx-cb-restart', binding.fingerprint, first.url, owner);
      expect(decided.data?.decideConsent.errors).toEqual([]);
      await waitFor(
        async () => down.callsFor('tx-cb-restart'),
        (calls) => calls.length >= 1,
      );
      // Stops the app only; the database stays for the next one.
      await first.app.close();
      down.state.down = false;
      const attemptsBeforeRestart = down.callsFor('tx-cb-restart').length;

      restarted = await createApp(
        loadConfig({
          NODE_ENV: 'test',
          DATABASE_URL: first.db.url,
          VMN_NUMBERS: VMN_NUMBER,
          VMN_WEBHOOK_SECRET: VMN_SECRET,
          SECRETS_KEY: '11'.repeat(32),
          ...FAST_CALLBACKS,
        }),
        { logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') },
      );
      const app = restarted;
      const id = await consentId(app, 'tx-cb-restart', owner.spId);
      const [row] = await waitFor(
        () => app.callbacks.deliveriesFor(id),
        ([delivery]) => delivery?.state === 'DELIVERED',
        10_000,
      );
      expect(row).toMatchObject({ state: 'DELIVERED', lastStatus: 200 });
      expect(row.attempts).toBe(attemptsBeforeRestart + 1);
      const calls = down.callsFor('tx-cb-restart');
      expect(calls.map((call) => call.answeredWith)).toEqual([
        ...Array(attemptsBeforeRestart).fill(503),
        200,
      ]);
      expect(calls.at(-1)!.body.status).toBe('ACCEPTED');
      expectSignedBy(calls.at(-1)!, owner.signingSecret, new Date());
    } finally {
      await restarted?.close();
      await first.close();
      await down.close();
    }
  });
});

describe('callback URLs with private networks off (the production default)', () => {
  let guarded: TestServer;
  let caller: TenantCredentials;
  beforeAll(async () => {
    guarded = await startTestServer({ CALLBACK_PRIVATE_NETWORKS: 'false' });
    caller = await guarded.newTenant();
  });
  afterAll(() => guarded.close());

  it.each([
    'http://127.0.0.1:8080/cb',
    'http://localhost/cb',
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.7/cb',
    'https://[::1]/cb',
  ])('refuses %s as INVALID_INPUT on callbackUrl and stores nothing', async (callbackUrl) => {
    const spTransactionID = `tx-${callbackUrl.length}-${Date.now()}`;
    const answer = await graphql(
      guarded.url,
      REQUEST_CONSENT,
      {
        input: {
          spTransactionID,
          merchantCustomerId: 'cust-private',
          purpose: 'KYC share',
          callbackUrl,
        },
      },
      caller,
    );
    expect(answer.data?.requestConsent).toEqual({
      consentTransaction: null,
      errors: [
        {
          code: 'INVALID_INPUT',
          field: ['input', 'callbackUrl'],
          message: 'callbackUrl must name a host on the public internet',
        },
      ],
    });
    expect(
      await guarded.app.orm.em
        .fork()
        .count(ConsentTransaction, { spId: caller.spId, spTransactionId: spTransactionID }),
    ).toBe(0);
  });
});
