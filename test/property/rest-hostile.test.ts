import fc from 'fast-check';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { ConsentTransaction, Registration, Tenant } from '../../src/persistence/entities';
import { type TenantCredentials } from '../../src/services/tenant-service';
import {
  attributableRows,
  Effects,
  hostileString,
  IN_FLIGHT,
  InputCounter,
  longTransactionId,
  INJECTION_STRINGS,
  mutatedObject,
  preview,
  rowCounts,
  SEED,
  smallHostileString,
  unexplainedChanges,
  Violations,
  wrongTypeValue,
  keyOf,
  lazy,
  normalized,
} from '../support/arbitraries';
import { deliverSms, graphql } from '../support/clients';
import { type Attempt, boundDevice, CUSTOMER_MOBILE, issueToken } from '../support/flows';
import { DECLINE_BINDING, DEREGISTER_DEVICE, REQUEST_CONSENT } from '../support/operations';
import { startTestServer, type TestServer, VMN_NUMBER, VMN_SECRET } from '../support/server';
import { basicAuthorization, UaePassClient } from '../support/uaepass';

/**
 * Every legacy REST route is sent generated malformed and hostile requests: wrong types, odd
 * Unicode, huge strings, nested JSON, malformed JSON, wrong content types, missing, wrong and
 * mixed credentials, bad signatures, stale timestamps, replays, other tenants' keys. Whatever
 * comes in, the answer is a 4xx in the family's own error shape or one of the family's
 * documented 2xx answers; never a 5xx; rejected requests change no row of any table; another
 * tenant's keys answer exactly like random keys.
 */

fc.configureGlobal({ seed: SEED, endOnFailure: true });
jest.setTimeout(120_000);

/** Batches per route: 10 routes × 60 batches × 8 requests, plus replays and tenant probes. */
const BATCHES_PER_ROUTE = 60;
const TENANT_PROBES = 160;
const MIN_INPUTS = 5_000;

const ROUTES = {
  enstagePolling: '/upi-integration/upi/registration/v1/polling',
  enstageDecline: '/upi-integration/upi/registration/v1/decline/deviceBinding',
  razorpayVerification: '/v1/upi/tpap/mobile/verification',
  razorpayBind: '/v1/upi/tpap/devices/bind',
  juspayGetSmsToken: '/api/v1/merchants/customer/getSmsToken',
  juspayBindDevice: '/api/v1/merchants/customer/bindDevice',
  uaePassToken: '/oauth2/token',
  uaePassSend: '/api/v1/consent/transaction/send',
  uaePassStatus: '/api/v1/consent/transaction/status',
  vmnInboundSms: '/v1/vmn/inbound-sms',
} as const;

type Route = keyof typeof ROUTES;

/**
 * How the caller authenticates. `valid` is the tenant A's own credentials; the others are
 * missing, wrong, of two tenants at once, signed badly, too old or too new.
 */
type Auth =
  | 'valid'
  | 'missing'
  | 'wrong'
  | 'mixed'
  | 'malformed'
  | 'bad-signature'
  | 'signed-other-body'
  | 'stale'
  | 'future'
  | 'not-a-timestamp';

interface RestCase {
  route: Route;
  /** The body exactly as sent. */
  raw: string;
  /** The value the body was made from, when it is JSON (for reading fields back). */
  value: unknown;
  contentType: string | null;
  auth: Auth;
  /** Razorpay's x-customer-reference. */
  customerReference: string | null;
  /** Send the identical signed request a second time. */
  replay: boolean;
}

interface Answer {
  status: number;
  text: string;
  body: any;
}

let server: TestServer;
let A: TenantCredentials;
let B: TenantCredentials;
let aTenantId: string;
let aUaePass: UaePassClient;
let bUaePass: UaePassClient;

const world = {
  a: {} as {
    bound: Attempt;
    pending: Attempt;
    declined: Attempt;
    consentTx: string;
    refNumbers: string[];
  },
  b: {} as {
    bound: Attempt;
    verified: Attempt;
    pending: Attempt;
    fingerprint: string;
    bindingId: string;
    consentTx: string;
    uaePassTransactionID: string;
    refNumbers: string[];
  },
};
let bPrivate: string[] = [];

let violations = new Violations();
const counter = new InputCounter();
/** Per route: documented 2xx answers and 4xx refusals seen. */
const reach: Record<string, { answered: number; refused: number }> = {};
const tally = (route: string, kind: 'answered' | 'refused') => {
  reach[route] ??= { answered: 0, refused: 0 };
  reach[route][kind]++;
};

const refNumberOf = async (registrationId: string) =>
  (await server.app.orm.em.fork().findOneOrFail(Registration, { id: registrationId })).refNumber;

beforeAll(async () => {
  server = await startTestServer({ SWEEP_INTERVAL_MS: '1000', OUTBOX_POLL_INTERVAL_MS: '500' });
  // Generated callbackUrls must never be called: the dispatcher stays off for this suite.
  await server.app.callbacks.stop();
  // The longest spId a tenant may have (128 characters): keys built from it must still fit.
  A = await server.app.tenants.createTenant({
    merchantId: 'ATTACKER',
    merchantChannelId: `ATT${process.pid}`,
    spId: `sp.${'a'.repeat(125)}`,
  });
  B = await server.newTenant('VICTIM');
  const em = server.app.orm.em.fork();
  aTenantId = (await em.findOneOrFail(Tenant, { merchantChannelId: A.merchantChannelId })).id;
  const bTenantId = (await em.findOneOrFail(Tenant, { merchantChannelId: B.merchantChannelId })).id;

  const bBound = await boundDevice(server.url, B);
  const bVerified = await issueToken(server.url, B);
  expect(
    (await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: bVerified.smsContent })).status,
  ).toBe(200);
  const bPending = await issueToken(server.url, B);
  const bConsentTx = `tx-b-${randomUUID()}`;
  const bConsent = await graphql(
    server.url,
    REQUEST_CONSENT,
    {
      input: {
        spTransactionID: bConsentTx,
        merchantCustomerId: bBound.attempt.merchantCustomerId,
        purpose: 'pay',
        expiresInSeconds: 86_400,
      },
    },
    B,
  );
  expect(bConsent.data?.requestConsent.consentTransaction.status).toBe('TRIGGERED');

  // A has no active binding (its one binding is deregistered), so none of its consents triggers.
  const aBound = await boundDevice(server.url, A);
  await graphql(
    server.url,
    DEREGISTER_DEVICE,
    { input: { deviceBindingId: aBound.binding.id } },
    A,
  );
  const aPending = await issueToken(server.url, A);
  const aDeclined = await issueToken(server.url, A);
  await graphql(server.url, DECLINE_BINDING, { input: { smsContent: aDeclined.smsContent } }, A);
  const aConsentTx = `tx-a-${randomUUID()}`;
  await graphql(
    server.url,
    REQUEST_CONSENT,
    {
      input: {
        spTransactionID: aConsentTx,
        merchantCustomerId: aBound.attempt.merchantCustomerId,
        purpose: 'pay',
      },
    },
    A,
  );

  world.a = {
    bound: aBound.attempt,
    pending: aPending,
    declined: aDeclined,
    consentTx: aConsentTx,
    refNumbers: await Promise.all(
      [aBound.attempt, aPending, aDeclined].map((a) => refNumberOf(a.registrationId)),
    ),
  };
  world.b = {
    bound: bBound.attempt,
    verified: bVerified,
    pending: bPending,
    fingerprint: bBound.binding.fingerprint,
    bindingId: bBound.binding.id,
    consentTx: bConsentTx,
    uaePassTransactionID: bConsent.data?.requestConsent.consentTransaction.uaePassTransactionID,
    refNumbers: await Promise.all(
      [bBound.attempt, bVerified, bPending].map((a) => refNumberOf(a.registrationId)),
    ),
  };
  bPrivate = [
    ...world.b.refNumbers,
    world.b.fingerprint,
    world.b.bindingId,
    world.b.uaePassTransactionID,
    world.b.consentTx,
    bTenantId,
    B.merchantChannelId,
    ...[bBound.attempt, bVerified, bPending].flatMap((a) => [
      a.registrationId,
      a.smsContent,
      a.deviceId,
      a.ssid,
      a.merchantCustomerId,
    ]),
  ];
});

afterAll(() => server?.close());

/** UAE PASS access tokens live in the server's memory, at most 100 per tenant: fresh ones. */
async function connectUaePass(): Promise<void> {
  aUaePass = await UaePassClient.connect(server.url, A, server.clock.now);
  bUaePass = await UaePassClient.connect(server.url, B, server.clock.now);
}

// ---------------------------------------------------------------------------------------------
// Pools of keys

const TOKEN_ALPHABET = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const randomToken = fc
  .string({ unit: TOKEN_ALPHABET, minLength: 32, maxLength: 32 })
  .map((s) => `UPIACT ${s}`);
const randomDigits = fc.string({
  unit: fc.constantFrom(...'0123456789'),
  minLength: 10,
  maxLength: 10,
});

const aAttempts = () => [world.a.bound, world.a.pending, world.a.declined];
const bAttempts = () => [world.b.bound, world.b.verified, world.b.pending];

const refNumberArb = keyOf(
  () => world.a.refNumbers,
  () => world.b.refNumbers,
  randomDigits,
);
const deviceIdArb = keyOf(
  () => aAttempts().map((a) => a.deviceId),
  () => bAttempts().map((a) => a.deviceId),
  fc.uuid().map((u) => `device-${u}`),
);
const ssidArb = keyOf(
  () => aAttempts().map((a) => a.ssid),
  () => bAttempts().map((a) => a.ssid),
  fc.uuid().map((u) => `ssid-${u.slice(0, 8)}`),
);
const customerIdArb = keyOf(
  () => aAttempts().map((a) => a.merchantCustomerId),
  () => bAttempts().map((a) => a.merchantCustomerId),
  fc.uuid().map((u) => `cust-${u}`),
);
/** Tokens whose registration no request of A may move: A's bound and declined, all of B's. */
const spentOrForeignTokenArb = keyOf(
  () => [world.a.bound.smsContent, world.a.declined.smsContent],
  () => bAttempts().map((a) => a.smsContent),
  randomToken,
);
/** Tokens bind may be tried with: none of them can bind anew. */
const bindTokenArb = keyOf(
  () => aAttempts().map((a) => a.smsContent),
  () => bAttempts().map((a) => a.smsContent),
  randomToken,
);
/** Tokens the VMN may report: only spent ones (a live one would legitimately change state). */
const reportedTokenArb = keyOf(
  () => [world.a.bound.smsContent, world.a.declined.smsContent],
  () => [world.b.bound.smsContent],
  randomToken,
);
const spIdArb = keyOf(
  () => [A.spId],
  () => [B.spId],
  fc.uuid().map((u) => `sp_${u}`),
);
const transactionArb = keyOf(
  () => [world.a.consentTx],
  () => [world.b.consentTx],
  fc.uuid().map((u) => `tx-${u}`),
);
const mobileArb = fc.oneof(
  fc.constantFrom(CUSTOMER_MOBILE, '919800000099', '+91 98123 45678', '9812345678', VMN_NUMBER),
  hostileString,
);
const udfArb = fc.oneof(
  fc.constantFrom('{"udf1":"value1","udf2":"value2"}', '{}', '', '[1]', '{"a":"b-c"}', '{"a":1'),
  smallHostileString,
);

/** Text fetch can put in a header: printable Latin-1, no CR, LF or NUL. */
const headerSafe = (text: string) =>
  [...text]
    .filter((ch) => {
      const code = ch.charCodeAt(0);
      return ch.length === 1 && code >= 0x20 && code <= 0xff && code !== 0x7f;
    })
    .join('');

const customerReferenceArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 4, arbitrary: lazy(() => aAttempts().map((a) => a.merchantCustomerId)) },
  { weight: 2, arbitrary: lazy(() => bAttempts().map((a) => a.merchantCustomerId)) },
  { weight: 2, arbitrary: fc.uuid().map((u) => `cust-${u}`) },
  { weight: 2, arbitrary: fc.constantFrom(...INJECTION_STRINGS).map(headerSafe) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map(headerSafe) },
  { weight: 1, arbitrary: fc.constant(null) },
);

// ---------------------------------------------------------------------------------------------
// Bodies: a mutated well-formed body mostly, else malformed JSON, another JSON value, nothing,
// or more than the 64 KiB the legacy routes take.

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}}',
  '{"a":1',
  'NaN',
  'undefined',
  '\uFEFF{"a":1}',
  '{"a":"\\x00"}',
  '{"a":"\\ud800"',
  '{"a":01}',
  '{"a":1e99999}',
  '[',
  '<?xml version="1.0"?><a/>',
  'a=1&b=2',
  '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
  '\u0000',
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
];

function bodyArb(base: fc.Arbitrary<Record<string, unknown>>) {
  return fc.oneof(
    {
      weight: 14,
      arbitrary: base
        .chain((b) => mutatedObject(b))
        .map((value) => ({ value: value as unknown, raw: JSON.stringify(value) })),
    },
    {
      weight: 6,
      arbitrary: base.map((value) => ({ value: value as unknown, raw: JSON.stringify(value) })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...MALFORMED_JSON).map((raw) => ({ value: undefined, raw })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(wrongTypeValue, hostileString)
        .map((value) => ({ value, raw: JSON.stringify(value) ?? 'null' })),
    },
    { weight: 1, arbitrary: fc.constant({ value: undefined as unknown, raw: '' }) },
    {
      weight: 1,
      arbitrary: base.map((b) => {
        const value = { ...b, padding: 'x'.repeat(64 * 1024 + 1) };
        return { value: value as unknown, raw: JSON.stringify(value) };
      }),
    },
  );
}

const jsonContentType = fc.oneof(
  { weight: 14, arbitrary: fc.constant<string | null>('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<string | null>(
      'text/plain',
      'application/json; charset=utf-8',
      'Application/JSON',
      null,
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/html',
      'application/octet-stream',
      'application/json; charset=latin1',
      '*/*',
      'application/vnd.api+json',
    ),
  },
);

const authArb = (kinds: Auth[]) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant<Auth>('valid') },
    { weight: 3, arbitrary: fc.constantFrom<Auth>(...kinds) },
  );

const deviceFields = fc.record({
  uuid: fc.oneof(
    fc.uuid().map((u) => `device-${u}`),
    deviceIdArb,
  ),
  app: fc.constant('test.merchant.upi.com'),
  ssid: ssidArb,
  manufacturer: fc.constant('samsung'),
  model: fc.constant('Galaxy S23'),
  os: fc.constantFrom('android', 'ios'),
  os_version: fc.constant('14'),
});

const BASES: Record<Route, fc.Arbitrary<Record<string, unknown>>> = {
  enstagePolling: fc.oneof(
    fc.record({ ssid: ssidArb, deviceId: deviceIdArb }),
    fc.record({
      refNumber: fc.oneof(
        refNumberArb,
        fc.integer().map((n) => n as unknown as string),
      ),
    }),
  ),
  enstageDecline: fc.record({ udfParameters: udfArb, smsContent: spentOrForeignTokenArb }),
  razorpayVerification: fc
    .record({ device: deviceFields, mobile: mobileArb, nested: fc.boolean() })
    .map(({ device, mobile, nested }) => ({
      ...(nested ? { device: { ...device, ip: '10.0.0.1', geocode: '12.97,77.59' } } : device),
      verification_type: 'sms',
      mobile,
      network_provider: 'jio',
    })),
  razorpayBind: fc
    .record({
      attempt: lazy(() => [...aAttempts(), ...bAttempts()]),
      token: bindTokenArb,
      nested: fc.boolean(),
    })
    .map(({ attempt, token, nested }) => {
      const device = {
        uuid: attempt.deviceId,
        app: 'test.merchant.upi.com',
        ssid: attempt.ssid,
        manufacturer: 'samsung',
        model: 'Galaxy S23',
        os: attempt.os,
        os_version: '14',
      };
      return {
        mobile: CUSTOMER_MOBILE,
        verification_type: 'sms',
        sms: { content: token },
        ...(nested ? { device } : device),
      };
    }),
  juspayGetSmsToken: fc.record(
    {
      merchantCustomerId: fc.oneof(
        fc.uuid().map((u) => `cust.${u}`),
        customerIdArb,
      ),
      deviceId: fc.oneof(
        fc.uuid().map((u) => `dev-${u}`),
        deviceIdArb,
      ),
      os: fc.constantFrom('android', 'ios'),
      provider: fc.oneof(fc.constant('JIO'), smallHostileString),
      udfParameters: udfArb,
    },
    { requiredKeys: ['merchantCustomerId', 'deviceId', 'os'] },
  ),
  juspayBindDevice: fc
    .record({ attempt: lazy(() => [...aAttempts(), ...bAttempts()]), token: bindTokenArb })
    .map(({ attempt, token }) => ({
      merchantCustomerId: attempt.merchantCustomerId,
      smsContent: token,
      deviceId: attempt.deviceId,
      manufacturer: 'samsung',
      model: 'Galaxy S23',
      version: '14',
      os: attempt.os,
      ssid: attempt.ssid,
      mobileNumber: CUSTOMER_MOBILE,
      packageName: 'test.merchant.upi.com',
      deregisterOldCustomer: 'false',
      udfParameters: '{"udf1":"value1","udf2":"value2"}',
    })),
  // Form fields, sent as a form unless the content type says otherwise.
  uaePassToken: fc.record({ grant_type: fc.constant('client_credentials') }),
  uaePassSend: fc.record(
    {
      spTransactionID: fc.oneof(
        fc.uuid().map((u) => `tx-${u}`),
        transactionArb,
        longTransactionId,
      ),
      spId: spIdArb,
      identifier: customerIdArb,
      purpose: fc.oneof(fc.constant('payment'), smallHostileString),
      expiresInSeconds: fc.oneof(fc.integer({ min: 1, max: 604_800 }), fc.constant('300')),
      callbackUrl: fc.oneof(
        fc.constantFrom('https://sp.example/callback', 'http://127.0.0.1:9/cb', 'ftp://x'),
        smallHostileString,
      ),
    },
    { requiredKeys: ['spTransactionID', 'spId', 'identifier', 'purpose'] },
  ),
  uaePassStatus: fc.record({ spTransactionID: transactionArb, spId: spIdArb }),
  vmnInboundSms: fc.record({
    messageId: fc.oneof(fc.uuid(), smallHostileString),
    from: mobileArb,
    to: fc.oneof(fc.constant(VMN_NUMBER), mobileArb),
    content: reportedTokenArb,
    receivedAt: fc.oneof(
      { weight: 4, arbitrary: fc.constant('now') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '2026-02-30T25:61:61Z',
          '0000-01-01T00:00:00Z',
          '-000001-01-01T00:00:00Z',
          '+275760-09-13T00:00:00Z',
          '9999-12-31T23:59:59.999Z',
          '1970-01-01T00:00:00Z',
          'yesterday',
          '1',
        ),
      },
      { weight: 1, arbitrary: smallHostileString },
    ),
  }),
};

/** The token endpoint takes a form: its bodies are form text, not JSON. */
const tokenBodyArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant('grant_type=client_credentials') },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'grant_type=password&username=a&password=b',
      'grant_type=',
      '',
      'grant_type=client_credentials&grant_type=client_credentials',
      'grant_type=client_credentials&scope=%00',
      'grant_type=%E0%A4%A',
      '{"grant_type":"client_credentials"}',
      `grant_type=${'x'.repeat(70_000)}`,
      '&&&===',
    ),
  },
  {
    weight: 4,
    arbitrary: hostileString.map((h) => new URLSearchParams({ grant_type: h }).toString()),
  },
  { weight: 2, arbitrary: hostileString },
);

function routeCase(route: Route): fc.Arbitrary<RestCase> {
  const signed =
    route === 'juspayGetSmsToken' ||
    route === 'juspayBindDevice' ||
    route === 'uaePassSend' ||
    route === 'uaePassStatus' ||
    route === 'vmnInboundSms';
  const authKinds: Auth[] = signed
    ? [
        'missing',
        'mixed',
        'bad-signature',
        'signed-other-body',
        'stale',
        'future',
        'not-a-timestamp',
      ]
    : ['missing', 'wrong', 'mixed', 'malformed'];
  const body =
    route === 'uaePassToken'
      ? tokenBodyArb.map((raw) => ({ value: undefined as unknown, raw }))
      : bodyArb(BASES[route]);
  const contentType =
    route === 'uaePassToken'
      ? fc.oneof(
          { weight: 8, arbitrary: fc.constant<string | null>('application/x-www-form-urlencoded') },
          { weight: 3, arbitrary: jsonContentType },
        )
      : jsonContentType;
  return fc
    .record({
      route: fc.constant(route),
      raw: fc.constant(''),
      value: fc.constant(undefined as unknown),
      body,
      contentType,
      auth: authArb(authKinds),
      customerReference:
        route === 'razorpayVerification' || route === 'razorpayBind'
          ? customerReferenceArb
          : fc.constant(null),
      replay: signed
        ? fc.oneof(
            { weight: 6, arbitrary: fc.constant(false) },
            { weight: 1, arbitrary: fc.constant(true) },
          )
        : fc.constant(false),
    })
    .map(({ body: { raw, value }, ...rest }) => ({ ...rest, raw, value }));
}

// ---------------------------------------------------------------------------------------------
// Sending

let step = 0;
const nowMs = () => server.clock.now().getTime();
const hmac = (secret: string, text: string) =>
  createHmac('sha256', secret).update(text).digest('hex');

/**
 * When a signed request claims to have been made, in seconds or milliseconds. Valid ones spread
 * over the ±300 s window with an offset that grows with each call, so two requests with the same
 * body never share a timestamp (which would make the second a replay) however fast they follow.
 */
function timestampFor(auth: Auth, unit: 's' | 'ms'): string {
  const n = ++step;
  if (auth === 'not-a-timestamp') return ['yesterday', '-1', '1e3', '0x10', ' 1 '][n % 5];
  const atMs =
    auth === 'stale'
      ? nowMs() - 301_000 - (n % 1_000) * 1_000
      : auth === 'future'
        ? nowMs() + 301_000 + (n % 1_000) * 1_000
        : unit === 'ms'
          ? nowMs() - 100_000 + (n % 200_000)
          : nowMs() - 290_000 + (n % 580) * 1_000;
  return String(unit === 'ms' ? atMs : Math.floor(atMs / 1000));
}

function authHeaders(c: RestCase): Record<string, string> {
  const { auth, raw } = c;
  const signedText = auth === 'signed-other-body' ? `${raw} ` : raw;
  switch (c.route) {
    case 'enstagePolling':
    case 'enstageDecline':
      return auth === 'missing'
        ? {}
        : {
            'X-API-KEY': auth === 'malformed' ? ' ' : A.apiKey,
            'X-API-TOKEN':
              auth === 'wrong' ? `${A.apiToken}x` : auth === 'mixed' ? B.apiToken : A.apiToken,
          };
    case 'razorpayVerification':
    case 'razorpayBind': {
      const headers: Record<string, string> =
        c.customerReference === null ? {} : { 'x-customer-reference': c.customerReference };
      if (auth === 'missing') return headers;
      const secret =
        auth === 'wrong' ? `${A.keySecret}x` : auth === 'mixed' ? B.keySecret : A.keySecret;
      headers.Authorization =
        auth === 'malformed'
          ? 'Basic !!!not-base64'
          : `Basic ${Buffer.from(`${A.keyId}:${secret}`).toString('base64')}`;
      return headers;
    }
    case 'uaePassToken':
      if (auth === 'missing') return {};
      if (auth === 'malformed') return { Authorization: 'Basic %%%' };
      return {
        Authorization:
          auth === 'wrong'
            ? basicAuthorization(A.spId, `${A.clientSecret}x`)
            : auth === 'mixed'
              ? basicAuthorization(B.spId, A.clientSecret)
              : basicAuthorization(A.spId, A.clientSecret),
      };
    case 'juspayGetSmsToken':
    case 'juspayBindDevice': {
      const merchant = auth === 'mixed' ? B : A;
      const headers: Record<string, string> = {
        'x-merchant-id': merchant.merchantId,
        'x-merchant-channel-id': merchant.merchantChannelId,
      };
      if (auth === 'missing') return headers;
      const timestamp = timestampFor(auth, 'ms');
      const secret = auth === 'bad-signature' ? 'not-the-signing-secret' : A.signingSecret;
      headers['x-timestamp'] = timestamp;
      headers['x-merchant-signature'] = hmac(
        secret,
        `${merchant.merchantId}|${merchant.merchantChannelId}|${timestamp}|${signedText}`,
      );
      return headers;
    }
    case 'uaePassSend':
    case 'uaePassStatus': {
      if (auth === 'missing')
        return {
          'X-UP-AccessToken': aUaePass.accessToken,
          Authorization: `JWS ${aUaePass.idToken}`,
        };
      const headers = aUaePass.signedHeaders(raw, {
        timestamp: timestampFor(auth, 's'),
        signedBody: signedText,
        ...(auth === 'bad-signature' ? { signingSecret: 'not-the-signing-secret' } : {}),
        headers: {
          'Content-Type': null,
          ...(auth === 'mixed' ? { 'X-UP-AccessToken': bUaePass.accessToken } : {}),
        },
      });
      return headers;
    }
    case 'vmnInboundSms': {
      if (auth === 'missing') return {};
      const timestamp = timestampFor(auth, 's');
      const secret =
        auth === 'bad-signature'
          ? 'not-the-aggregator-secret'
          : auth === 'mixed'
            ? A.signingSecret
            : VMN_SECRET;
      return {
        'x-timestamp': timestamp,
        'x-signature': hmac(secret, `${timestamp}.${signedText}`),
      };
    }
  }
}

async function post(route: Route, headers: Record<string, string>, c: RestCase): Promise<Answer> {
  const all = { ...headers };
  if (c.contentType !== null) all['content-type'] = c.contentType;
  const response = await fetch(`${server.url}${ROUTES[route]}`, {
    method: 'POST',
    headers: all,
    // Bytes carry no content type of their own: a null contentType sends none at all.
    body: c.contentType === null ? new TextEncoder().encode(c.raw) : c.raw,
  });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // Judged below: every answer must be JSON.
  }
  return { status: response.status, text, body };
}

// ---------------------------------------------------------------------------------------------
// Judging

type Family = 'polling' | 'psp' | 'razorpay' | 'oauth' | 'uaepass' | 'vmn';

const FAMILY: Record<Route, Family> = {
  enstagePolling: 'polling',
  enstageDecline: 'psp',
  razorpayVerification: 'razorpay',
  razorpayBind: 'razorpay',
  juspayGetSmsToken: 'psp',
  juspayBindDevice: 'psp',
  uaePassToken: 'oauth',
  uaePassSend: 'uaepass',
  uaePassStatus: 'uaepass',
  vmnInboundSms: 'vmn',
};

const str = (v: unknown) => typeof v === 'string';

/** Each family's error body, as its seed (or, for the VMN, its route) defines it. */
const ERROR_SHAPE: Record<Family, (b: any) => boolean> = {
  polling: (b) => b.status === 'FAILURE' && str(b.resCode) && str(b.resDesc),
  psp: (b) =>
    b.status === 'FAILURE' && str(b.responseCode) && str(b.responseMessage) && str(b.udfParameters),
  razorpay: (b) => str(b.error?.code) && str(b.error.description) && 'field' in b.error,
  oauth: (b) => str(b.error) && str(b.error_description),
  uaepass: (b) => str(b.code) && str(b.desc?.en) && str(b.desc?.ar),
  vmn: (b) =>
    (b.status === 'UNAUTHORIZED' && str(b.error)) ||
    (b.status === 'REJECTED' && Array.isArray(b.errors)),
};

const RAZORPAY_BIND_STATUSES = [
  'verified',
  'device_already_verified',
  'mobile_verification_pending',
  'mobile_verification_expired',
  'mobile_verification_mismatch',
  'mobile_verification_failed',
];
const JUSPAY_BIND_VERDICTS = [
  'SMS_VERIFICATION_PENDING',
  'SMS_VERIFICATION_EXPIRED',
  'SMS_VERIFICATION_MISMATCH',
  'REGISTRATION_DECLINED',
];

/** The documented 2xx answer of each route. */
const SUCCESS_SHAPE: Record<Route, (b: any) => boolean> = {
  enstagePolling: (b) => b.status === 'SUCCESS' && /^\d+$/.test(b.resCode) && str(b.resDesc),
  enstageDecline: (b) =>
    b.status === 'SUCCESS' && ['JP19', 'JPAB'].includes(b.payload?.gatewayResponseCode),
  razorpayVerification: (b) =>
    b.verification_type === 'sms' &&
    str(b.sms?.content) &&
    Array.isArray(b.sms.receiver_number) &&
    Number.isInteger(b.expire_at),
  razorpayBind: (b) => b.entity === 'upi.device' && RAZORPAY_BIND_STATUSES.includes(b.status),
  juspayGetSmsToken: (b) =>
    b.status === 'SUCCESS' && str(b.payload?.serviceProviders?.[0]?.smsContent),
  juspayBindDevice: (b) =>
    (b.status === 'SUCCESS' && str(b.payload?.deviceFingerPrint)) ||
    (b.status === 'FAILURE' && JUSPAY_BIND_VERDICTS.includes(b.responseCode)),
  uaePassToken: (b) => str(b.access_token) && str(b.id_token) && b.expires_in === 3600,
  uaePassSend: (b) => b.code === '0' && str(b.data?.status),
  uaePassStatus: (b) => b.code === '0' && str(b.data?.status),
  vmnInboundSms: (b) => b.status === 'ACCEPTED' && typeof b.duplicate === 'boolean',
};

function example(c: RestCase, answer: Answer): string {
  const body = c.value !== undefined ? preview(c.value, 400) : preview(c.raw, 300);
  return `${c.route} auth=${c.auth} type=${c.contentType} ref=${preview(c.customerReference, 60)} body=${body} -> ${answer.status} ${preview(answer.body ?? answer.text, 400)}`;
}

const field = (c: RestCase, name: string): unknown =>
  c.value !== null && typeof c.value === 'object'
    ? (c.value as Record<string, unknown>)[name]
    : undefined;

/** Judges one answer; records what an accepted request touched so its rows are accounted for. */
async function judge(c: RestCase, answer: Answer, effects: Effects): Promise<void> {
  const fault = (kind: string) => violations.add(`${c.route}: ${kind}`, example(c, answer));
  if (answer.status >= 500) return fault(`HTTP ${answer.status}`);
  const body = answer.body;
  if (body === undefined || body === null || typeof body !== 'object')
    return fault('answer is not JSON');

  for (const secret of bPrivate) {
    if (answer.text.includes(secret) && !c.raw.includes(secret)) {
      fault("another tenant's data in the answer");
      break;
    }
  }

  if (answer.status >= 400) {
    if (!ERROR_SHAPE[FAMILY[c.route]](body))
      fault(`HTTP ${answer.status} outside the family's error shape`);
    tally(c.route, 'refused');
    return;
  }
  if (answer.status !== 200) return fault(`HTTP ${answer.status}`);
  if (!SUCCESS_SHAPE[c.route](body)) return fault('2xx outside the documented answers');
  if (c.auth !== 'valid') return fault('accepted without valid credentials');
  tally(c.route, 'answered');

  switch (c.route) {
    case 'enstagePolling':
      if (
        ![...world.a.refNumbers, ...aAttempts().map((a) => a.deviceId)].some((k) =>
          c.raw.includes(k),
        )
      )
        fault('polling found a registration the caller does not own');
      break;
    case 'enstageDecline':
      if (body.payload.merchantChannelId !== A.merchantChannelId)
        fault('declined for another tenant');
      effects.smsContents.add(String(field(c, 'smsContent')));
      break;
    case 'razorpayVerification':
      effects.smsContents.add(body.sms.content);
      effects.merchantCustomerIds.add(String(c.customerReference));
      break;
    case 'razorpayBind': {
      const sms = field(c, 'sms') as Record<string, unknown> | undefined;
      effects.smsContents.add(String(sms?.content));
      if (body.status === 'verified') fault('bound a registration that could not be bound');
      break;
    }
    case 'juspayGetSmsToken':
      effects.smsContents.add(body.payload.serviceProviders[0].smsContent);
      effects.merchantCustomerIds.add(String(field(c, 'merchantCustomerId')));
      break;
    case 'juspayBindDevice':
      effects.smsContents.add(String(field(c, 'smsContent')));
      effects.idempotencyKeys.add(
        `juspay-bind:${createHash('sha256').update(c.raw).digest('hex')}`,
      );
      if (body.status === 'SUCCESS' && body.payload.merchantChannelId !== A.merchantChannelId)
        fault('bound for another tenant');
      break;
    case 'uaePassSend':
    case 'uaePassStatus': {
      const owned = await server.app.orm.em.fork().count(ConsentTransaction, {
        tenantId: aTenantId,
        spTransactionId: body.data.spTransactionID,
      });
      if (owned !== 1) fault("another tenant's consent transaction in the answer");
      if (c.route === 'uaePassSend') {
        effects.consentKeys.push({ spId: A.spId, spTransactionID: body.data.spTransactionID });
        effects.merchantCustomerIds.add(String(field(c, 'identifier')));
        if (body.data.status !== 'INIT_FAILED')
          fault('consent triggered for a customer the caller has no active binding for');
      }
      break;
    }
    case 'vmnInboundSms':
      effects.messageIds.add(String(field(c, 'messageId')));
      break;
  }
}

/** A request that could not be made or answered at all (connection reset, server gone). */
async function runCase(c: RestCase, effects: Effects): Promise<void> {
  try {
    await sendAndJudge(c, effects);
  } catch (error) {
    violations.add(`${c.route}: request failed`, `${String(error)} for ${preview(c.raw, 300)}`);
  }
}

async function sendAndJudge(c: RestCase, effects: Effects): Promise<void> {
  const headers = authHeaders(c);
  const first = await post(c.route, headers, c);
  counter.add(c.route);
  await judge(c, first, effects);
  if (!c.replay) return;
  const again = await post(c.route, headers, c);
  counter.add(`${c.route} (replay)`);
  const replayed = { ...c, raw: c.raw };
  if (again.status >= 500)
    violations.add(`${c.route}: HTTP ${again.status} on a replay`, example(replayed, again));
  else if (again.status < 400)
    violations.add(`${c.route}: a replayed signed request was accepted`, example(replayed, again));
  else if (first.status < 400 && again.status !== 401)
    violations.add(`${c.route}: a replay answered other than 401`, example(replayed, again));
  else if (
    again.body &&
    typeof again.body === 'object' &&
    !ERROR_SHAPE[FAMILY[c.route]](again.body)
  )
    violations.add(
      `${c.route}: replay refused outside the family's error shape`,
      example(replayed, again),
    );
}

async function runBatch(cases: RestCase[]): Promise<void> {
  const orm = server.app.orm;
  const before = await rowCounts(orm);
  const since = new Date();
  const effects = new Effects();
  await Promise.all(cases.map((c) => runCase(c, effects)));
  const after = await rowCounts(orm);
  const explained = effects.empty ? {} : await attributableRows(orm, since, effects);
  const changes = unexplainedChanges(before, after, explained);
  if (Object.keys(changes).length > 0) {
    violations.add(
      `${cases[0].route}: rows changed by rejected input`,
      preview({ changes, bodies: cases.map((c) => `${c.auth} ${preview(c.raw, 200)}`) }, 1_500),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Another tenant's keys answer like random keys

interface Probe {
  route: Route;
  victim: () => string[];
  random: fc.Arbitrary<string>;
  body: (key: string) => Record<string, unknown>;
  customerReference?: (key: string) => string;
}

const PROBES: Probe[] = [
  {
    route: 'enstagePolling',
    victim: () => world.b.refNumbers,
    random: randomDigits,
    body: (refNumber) => ({ refNumber }),
  },
  {
    route: 'enstagePolling',
    victim: () => bAttempts().map((a) => a.deviceId),
    random: fc.uuid().map((u) => `device-${u}`),
    body: (deviceId) => ({
      deviceId,
      ssid: bAttempts().find((a) => a.deviceId === deviceId)?.ssid ?? 'ssid-none',
    }),
  },
  {
    route: 'enstageDecline',
    victim: () => bAttempts().map((a) => a.smsContent),
    random: randomToken,
    body: (smsContent) => ({ udfParameters: '{"udf1":"value1"}', smsContent }),
  },
  {
    route: 'razorpayBind',
    victim: () => bAttempts().map((a) => a.smsContent),
    random: randomToken,
    body: (content) => ({
      mobile: CUSTOMER_MOBILE,
      verification_type: 'sms',
      sms: { content },
      uuid: world.b.verified.deviceId,
      app: 'test.merchant.upi.com',
      ssid: world.b.verified.ssid,
      manufacturer: 'samsung',
      model: 'Galaxy S23',
      os: 'android',
      os_version: '14',
    }),
    customerReference: () => world.b.verified.merchantCustomerId,
  },
  {
    route: 'juspayBindDevice',
    victim: () => bAttempts().map((a) => a.smsContent),
    random: randomToken,
    body: (smsContent) => ({
      merchantCustomerId: world.b.verified.merchantCustomerId,
      smsContent,
      deviceId: world.b.verified.deviceId,
      manufacturer: 'samsung',
      model: 'Galaxy S23',
      version: '14',
      os: 'android',
      ssid: world.b.verified.ssid,
      mobileNumber: CUSTOMER_MOBILE,
      packageName: 'test.merchant.upi.com',
      deregisterOldCustomer: 'false',
      udfParameters: '{"udf1":"value1"}',
    }),
  },
  {
    route: 'uaePassStatus',
    victim: () => [world.b.consentTx],
    random: fc.uuid().map((u) => `tx-${u}`),
    body: (spTransactionID) => ({ spTransactionID, spId: A.spId }),
  },
  {
    route: 'uaePassStatus',
    victim: () => [B.spId],
    random: fc.uuid().map((u) => `sp_${u}`),
    body: (spId) => ({ spTransactionID: world.b.consentTx, spId }),
  },
  {
    route: 'uaePassSend',
    victim: () => [B.spId],
    random: fc.uuid().map((u) => `sp_${u}`),
    body: (spId) => ({
      spTransactionID: world.b.consentTx,
      spId,
      identifier: world.b.bound.merchantCustomerId,
      purpose: 'payment',
    }),
  },
];

async function probeAnswer(p: Probe, key: string): Promise<Answer> {
  const value = p.body(key);
  const c: RestCase = {
    route: p.route,
    raw: JSON.stringify(value),
    value,
    contentType: 'application/json',
    auth: 'valid',
    customerReference: p.customerReference ? p.customerReference(key) : null,
    replay: false,
  };
  return post(p.route, authHeaders(c), c);
}

// ---------------------------------------------------------------------------------------------

describe('hostile legacy REST requests', () => {
  beforeEach(connectUaePass);

  it("another tenant's keys answer exactly like random keys, on every route that takes one", async () => {
    violations = new Violations();
    const probe = fc
      .record({ index: fc.nat({ max: PROBES.length - 1 }), pick: fc.nat() })
      .chain(({ index, pick }) =>
        PROBES[index].random.map((random) => ({ probe: PROBES[index], pick, random })),
      );
    await fc.assert(
      fc.asyncProperty(
        fc.array(probe, { minLength: IN_FLIGHT / 2, maxLength: IN_FLIGHT / 2 }),
        async (probes) => {
          await Promise.all(
            probes.map(async ({ probe: p, pick, random }) => {
              const victims = p.victim();
              const victim = victims[pick % victims.length];
              const [forVictim, forRandom] = await Promise.all([
                probeAnswer(p, victim),
                probeAnswer(p, random),
              ]);
              counter.add(`${p.route} (tenant probe)`, 2);
              const keys = [victim, random];
              const seen = `${forVictim.status} ${normalized(forVictim.text, keys)}`;
              const expected = `${forRandom.status} ${normalized(forRandom.text, keys)}`;
              if (seen !== expected) {
                violations.add(
                  `${p.route}: another tenant's key answers unlike a random key`,
                  `${preview(p.body(victim))} -> ${preview(forVictim.text)}; random key -> ${preview(forRandom.text)}`,
                );
              }
            }),
          );
        },
      ),
      { numRuns: TENANT_PROBES / (IN_FLIGHT / 2) },
    );
    expect(violations.report()).toEqual({});
  });

  it.each(Object.keys(ROUTES) as Route[])(
    '%s: no 5xx, refusals in the family shape, documented 2xx only, no rows changed by rejected input',
    async (route) => {
      violations = new Violations();
      await fc.assert(
        fc.asyncProperty(
          fc.array(routeCase(route), { minLength: IN_FLIGHT, maxLength: IN_FLIGHT }),
          runBatch,
        ),
        { numRuns: BATCHES_PER_ROUTE },
      );
      expect(violations.report()).toEqual({});
    },
  );

  it("left the other tenant's data as it was", async () => {
    const em = server.app.orm.em.fork();
    const statuses = await Promise.all(
      bAttempts().map(
        async (a) => (await em.findOneOrFail(Registration, { id: a.registrationId })).status,
      ),
    );
    expect(statuses).toEqual(['BOUND', 'SMS_VERIFIED', 'PENDING_SMS']);
    expect(
      (
        await em.findOneOrFail(ConsentTransaction, {
          spId: B.spId,
          spTransactionId: world.b.consentTx,
        })
      ).status,
    ).toBe('TRIGGERED');
  });

  it(`sent at least ${MIN_INPUTS} generated requests, some refused and some answered on every route`, () => {
    expect(counter.total).toBeGreaterThanOrEqual(MIN_INPUTS);
    for (const route of Object.keys(ROUTES)) {
      const seen = reach[route];
      expect([route, seen?.refused > 0, seen?.answered > 0]).toEqual([route, true, true]);
    }
  });
});
