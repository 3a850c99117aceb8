import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { UserErrorCode } from '../../src/domain/errors';
import {
  ConsentTransaction,
  Customer,
  DeviceBinding,
  Registration,
  Tenant,
} from '../../src/persistence/entities';
import { type TenantCredentials } from '../../src/services/tenant-service';
import {
  Effects,
  hostileString,
  hostileValue,
  IN_FLIGHT,
  InputCounter,
  longTransactionId,
  mutatedObject,
  preview,
  rowCounts,
  attributableRows,
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
import {
  type Attempt,
  bindInput,
  boundDevice,
  CUSTOMER_MOBILE,
  issueToken,
} from '../support/flows';
import { DECLINE_BINDING, DEREGISTER_DEVICE, REQUEST_CONSENT } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';

/**
 * Every query and mutation of the contract (and the federation `_entities` field) is sent
 * generated malformed and hostile variables. Whatever comes in, the answer is a 4xx with
 * GraphQL errors or a 200 whose errors are UserErrors (mutations) or whose data is null (queries);
 * never a 5xx or an internal error; rejected input changes no row of any table; and another
 * tenant's keys reveal nothing: they answer exactly like random keys.
 */

fc.configureGlobal({ seed: SEED, endOnFailure: true });
jest.setTimeout(120_000);

/** Batches per operation: 12 operations × 56 batches × 8 inputs, plus 320 tenant probes. */
const BATCHES_PER_OPERATION = 56;
const TENANT_PROBES = 160;
const MIN_INPUTS = 5_000;

const REG = `__typename id refNumber merchantCustomerId deviceId vmn status statusReason mobileNumber expiresAt createdAt updatedAt
  history { status reason at } deviceBinding { __typename id fingerprint status mobileNumber merchantCustomerId }`;
const BIND = `__typename id merchantCustomerId deviceId ssid manufacturer model os osVersion packageName mobileNumber fingerprint status boundAt deregisteredAt`;
const CONSENT = `__typename spId spTransactionID uaePassTransactionID merchantCustomerId purpose status expiresAt createdAt decidedAt`;
const ERRORS = `errors { code message field }`;

/** The operations under test: root field, document, and whether it is a mutation. */
const OPERATIONS = {
  registration: { query: `query ($id: ID!) { registration(id: $id) { ${REG} } }` },
  registrationStatus: {
    query: `query ($deviceId: String!, $ssid: String!) { registrationStatus(deviceId: $deviceId, ssid: $ssid) { ${REG} } }`,
  },
  deviceBinding: { query: `query ($id: ID!) { deviceBinding(id: $id) { ${BIND} } }` },
  customer: {
    query: `query ($merchantCustomerId: ID!, $status: DeviceBindingStatus, $last: Int) {
      customer(merchantCustomerId: $merchantCustomerId) { __typename merchantCustomerId
        devices(status: $status) { ${BIND} } registrations(last: $last) { ${REG} } } }`,
  },
  consentTransaction: {
    query: `query ($spId: String!, $spTransactionID: String!) {
      consentTransaction(spId: $spId, spTransactionID: $spTransactionID) { ${CONSENT} } }`,
  },
  _entities: {
    // Aliased per type: the entities' same-named fields have different types (status, ids).
    query: `query ($representations: [_Any!]!) { _entities(representations: $representations) {
      __typename
      ... on Registration { id refNumber rCustomer: merchantCustomerId rStatus: status rMobile: mobileNumber
        deviceBinding { __typename id fingerprint } }
      ... on DeviceBinding { id fingerprint bCustomer: merchantCustomerId bStatus: status bMobile: mobileNumber }
      ... on Customer { merchantCustomerId devices { __typename id fingerprint } registrations { __typename id } }
      ... on ConsentTransaction { spId spTransactionID uaePassTransactionID cCustomer: merchantCustomerId cStatus: status } } }`,
  },
  requestSmsToken: {
    query: `mutation ($input: RequestSmsTokenInput!) { requestSmsToken(input: $input) { smsContent registration { ${REG} } ${ERRORS} } }`,
    mutation: true,
  },
  bindDevice: {
    query: `mutation ($input: BindDeviceInput!) { bindDevice(input: $input) { registration { ${REG} } deviceBinding { ${BIND} } ${ERRORS} } }`,
    mutation: true,
  },
  declineBinding: {
    query: `mutation ($input: DeclineBindingInput!) { declineBinding(input: $input) { registration { ${REG} } ${ERRORS} } }`,
    mutation: true,
  },
  deregisterDevice: {
    query: `mutation ($input: DeregisterDeviceInput!) { deregisterDevice(input: $input) { deviceBinding { ${BIND} } ${ERRORS} } }`,
    mutation: true,
  },
  requestConsent: {
    query: `mutation ($input: RequestConsentInput!) { requestConsent(input: $input) { consentTransaction { ${CONSENT} } ${ERRORS} } }`,
    mutation: true,
  },
  decideConsent: {
    query: `mutation ($input: DecideConsentInput!) { decideConsent(input: $input) { consentTransaction { ${CONSENT} } ${ERRORS} } }`,
    mutation: true,
  },
} as const satisfies Record<string, { query: string; mutation?: boolean }>;

type Operation = keyof typeof OPERATIONS;

/** Who calls: the attacking tenant, nobody, a wrong token, or a key and a token of two tenants. */
type Auth = 'A' | 'none' | 'wrong' | 'mixed';

interface GqlCase {
  op: Operation;
  variables: unknown;
  auth: Auth;
}

interface Answer {
  status: number;
  text: string;
  body: any;
}

/** Top-level error codes a refusal may carry; anything else (INTERNAL_SERVER_ERROR) is a fault. */
const REFUSAL_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
]);
const USER_ERROR_CODES = new Set<string>(Object.values(UserErrorCode));
const ENTITY_TYPES = new Set(['Registration', 'DeviceBinding', 'Customer', 'ConsentTransaction']);

let server: TestServer;
/** The attacker: every generated call authenticates as this tenant unless told otherwise. */
let A: TenantCredentials;
/** The victim: its data must stay invisible and unchanged. */
let B: TenantCredentials;
let aTenantId: string;

const world = {
  a: {} as {
    bound: Attempt;
    bindingId: string;
    fingerprint: string;
    pending: Attempt;
    declined: Attempt;
    consentTx: string;
    registrationIds: string[];
    refNumbers: string[];
  },
  b: {} as {
    bound: Attempt;
    bindingId: string;
    fingerprint: string;
    verified: Attempt;
    pending: Attempt;
    consentTx: string;
    uaePassTransactionID: string;
    registrationIds: string[];
    refNumbers: string[];
  },
};

/** spTransactionIDs tenant A has used: a DUPLICATE_TRANSACTION for any other is a leak. */
const aUsedTransactions = new Set<string>();
/** Strings only tenant B's data holds: none may appear in an answer unless the request sent it. */
let bPrivate: string[] = [];

/** Each test starts its own record, so a failure names only its own operation's violations. */
let violations = new Violations();
const counter = new InputCounter();
/** Per operation: answers with data, refusals by the service's rules, refusals of the input. */
const reach: Record<
  string,
  { answered: number; refusedByRules: number; refusedAsInvalid: number }
> = {};
const tally = (op: string, kind: 'answered' | 'refusedByRules' | 'refusedAsInvalid') => {
  reach[op] ??= { answered: 0, refusedByRules: 0, refusedAsInvalid: 0 };
  reach[op][kind]++;
};

const registrationRow = (id: string) =>
  server.app.orm.em.fork().findOneOrFail(Registration, { id });

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
  aTenantId = (
    await server.app.orm.em.fork().findOneOrFail(Tenant, { merchantChannelId: A.merchantChannelId })
  ).id;

  // Tenant B: a bound device, a verified and a pending attempt, a consent awaiting decision.
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

  // Tenant A: a bound attempt whose binding is deregistered (A has no active binding, so none of
  // its consents can be triggered), a pending and a declined attempt, a consent that failed.
  const aBound = await boundDevice(server.url, A);
  const deregistered = await graphql(
    server.url,
    DEREGISTER_DEVICE,
    { input: { deviceBindingId: aBound.binding.id } },
    A,
  );
  expect(deregistered.data?.deregisterDevice.deviceBinding.status).toBe('DEREGISTERED');
  const aPending = await issueToken(server.url, A);
  const aDeclined = await issueToken(server.url, A);
  await graphql(server.url, DECLINE_BINDING, { input: { smsContent: aDeclined.smsContent } }, A);
  const aConsentTx = `tx-a-${randomUUID()}`;
  const aConsent = await graphql(
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
  expect(aConsent.data?.requestConsent.consentTransaction.status).toBe('INIT_FAILED');
  aUsedTransactions.add(aConsentTx);

  const aRegs = await Promise.all(
    [aBound.attempt, aPending, aDeclined].map((a) => registrationRow(a.registrationId)),
  );
  const bRegs = await Promise.all(
    [bBound.attempt, bVerified, bPending].map((a) => registrationRow(a.registrationId)),
  );
  world.a = {
    bound: aBound.attempt,
    bindingId: aBound.binding.id,
    fingerprint: aBound.binding.fingerprint,
    pending: aPending,
    declined: aDeclined,
    consentTx: aConsentTx,
    registrationIds: aRegs.map((r) => r.id),
    refNumbers: aRegs.map((r) => r.refNumber),
  };
  world.b = {
    bound: bBound.attempt,
    bindingId: bBound.binding.id,
    fingerprint: bBound.binding.fingerprint,
    verified: bVerified,
    pending: bPending,
    consentTx: bConsentTx,
    uaePassTransactionID: bConsent.data?.requestConsent.consentTransaction.uaePassTransactionID,
    registrationIds: bRegs.map((r) => r.id),
    refNumbers: bRegs.map((r) => r.refNumber),
  };
  const bTenantId = (
    await server.app.orm.em.fork().findOneOrFail(Tenant, { merchantChannelId: B.merchantChannelId })
  ).id;
  bPrivate = [
    ...world.b.registrationIds,
    ...world.b.refNumbers,
    world.b.bindingId,
    world.b.fingerprint,
    world.b.uaePassTransactionID,
    world.b.consentTx,
    bTenantId,
    ...[bBound.attempt, bVerified, bPending].flatMap((a) => [
      a.smsContent,
      a.deviceId,
      a.ssid,
      a.merchantCustomerId,
    ]),
  ];
});

afterAll(() => server?.close());

// ---------------------------------------------------------------------------------------------
// Pools of keys: the attacker's own, the victim's, random ones of the right shape, hostile text.

const TOKEN_ALPHABET = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const randomToken = fc
  .string({ unit: TOKEN_ALPHABET, minLength: 32, maxLength: 32 })
  .map((s) => `UPIACT ${s}`);
const randomHex64 = fc.string({
  unit: fc.constantFrom(...'0123456789abcdef'),
  minLength: 64,
  maxLength: 64,
});

const registrationIdArb = keyOf(
  () => world.a.registrationIds,
  () => world.b.registrationIds,
  fc.uuid(),
);
const bindingIdArb = keyOf(
  () => [world.a.bindingId],
  () => [world.b.bindingId],
  fc.uuid(),
);
const customerIdArb = keyOf(
  () => [world.a.bound.merchantCustomerId, world.a.pending.merchantCustomerId],
  () => [world.b.bound.merchantCustomerId, world.b.verified.merchantCustomerId],
  fc.uuid().map((u) => `cust-${u}`),
);
const deviceIdArb = keyOf(
  () => [world.a.bound.deviceId, world.a.pending.deviceId],
  () => [world.b.bound.deviceId, world.b.verified.deviceId, world.b.pending.deviceId],
  fc.uuid().map((u) => `device-${u}`),
);
const ssidArb = keyOf(
  () => [world.a.bound.ssid, world.a.pending.ssid],
  () => [world.b.bound.ssid, world.b.verified.ssid, world.b.pending.ssid],
  fc.uuid().map((u) => `ssid-${u.slice(0, 8)}`),
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
const fingerprintArb = keyOf(
  () => [world.a.fingerprint],
  () => [world.b.fingerprint],
  randomHex64,
);
/** Tokens that can never change state when A declines them (no pending or verified one of A). */
const declinableTokenArb = keyOf(
  () => [world.a.bound.smsContent, world.a.declined.smsContent],
  () => [world.b.bound.smsContent, world.b.verified.smsContent, world.b.pending.smsContent],
  randomToken,
);
const mobileArb = fc.oneof(
  fc.constant(CUSTOMER_MOBILE),
  fc.constantFrom('919800000099', '+91 98123 45678', '9812345678'),
  hostileString,
);
const authArb: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 16, arbitrary: fc.constant<Auth>('A') },
  { weight: 1, arbitrary: fc.constantFrom<Auth>('none', 'wrong', 'mixed') },
);

/** Attempts bindDevice may start from: none of them can bind anew. */
const bindBaseArb = lazy(() => [
  world.a.bound,
  world.a.pending,
  world.a.declined,
  world.b.bound,
  world.b.verified,
  world.b.pending,
]);

/** A well-formed value three times in four, else a hostile one. */
const mostly = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: hostile });

/** Mostly a mutated well-formed input; sometimes the whole input or variables are hostile. */
function inputCase(op: Operation, input: fc.Arbitrary<Record<string, unknown>>) {
  return fc.record({
    op: fc.constant(op),
    auth: authArb,
    variables: fc.oneof(
      { weight: 6, arbitrary: input.map((i) => ({ input: i })) },
      {
        weight: 12,
        arbitrary: input.chain((base) => mutatedObject(base)).map((i) => ({ input: i })),
      },
      { weight: 1, arbitrary: hostileValue.map((v) => ({ input: v })) },
      { weight: 1, arbitrary: fc.oneof(wrongTypeValue, fc.constant({})) },
    ),
  });
}

function argsCase(op: Operation, args: fc.Arbitrary<Record<string, unknown>>) {
  return fc.record({
    op: fc.constant(op),
    auth: authArb,
    variables: fc.oneof(
      { weight: 6, arbitrary: args },
      { weight: 6, arbitrary: args.chain((base) => mutatedObject(base)) },
      { weight: 1, arbitrary: fc.oneof(wrongTypeValue, fc.constant({})) },
    ),
  });
}

const representationArb = fc.oneof(
  { weight: 3, arbitrary: registrationIdArb.map((id) => ({ __typename: 'Registration', id })) },
  { weight: 3, arbitrary: bindingIdArb.map((id) => ({ __typename: 'DeviceBinding', id })) },
  {
    weight: 3,
    arbitrary: customerIdArb.map((merchantCustomerId) => ({
      __typename: 'Customer',
      merchantCustomerId,
    })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ spId: spIdArb, spTransactionID: transactionArb })
      .map((key) => ({ __typename: 'ConsentTransaction', ...key })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        __typename: fc.oneof(
          smallHostileString,
          fc.constantFrom('Tenant', 'Query', 'UserError', 'registration'),
        ),
        id: hostileValue,
      })
      .map((r) => r as Record<string, unknown>),
  },
);

const CASES: Record<Operation, fc.Arbitrary<GqlCase>> = {
  registration: argsCase('registration', fc.record({ id: registrationIdArb })),
  registrationStatus: argsCase(
    'registrationStatus',
    fc.record({ deviceId: deviceIdArb, ssid: ssidArb }),
  ),
  deviceBinding: argsCase('deviceBinding', fc.record({ id: bindingIdArb })),
  customer: argsCase(
    'customer',
    fc.record(
      {
        merchantCustomerId: customerIdArb,
        status: fc.oneof(fc.constantFrom('ACTIVE', 'DEREGISTERED'), hostileValue),
        last: fc.oneof(fc.integer({ min: -5, max: 120 }), hostileValue),
      },
      { requiredKeys: ['merchantCustomerId'] },
    ),
  ),
  consentTransaction: argsCase(
    'consentTransaction',
    fc.record({ spId: spIdArb, spTransactionID: transactionArb }),
  ),
  _entities: argsCase(
    '_entities',
    fc
      .array(
        fc.oneof(
          { weight: 12, arbitrary: representationArb },
          { weight: 1, arbitrary: hostileValue },
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((representations) => ({ representations })),
  ),
  requestSmsToken: inputCase(
    'requestSmsToken',
    fc.record(
      {
        merchantCustomerId: fc.oneof(
          fc.uuid().map((u) => `cust-${u}`),
          customerIdArb,
        ),
        // A fresh device mostly, so well-formed inputs are issued tokens (and accounted for).
        deviceId: fc.oneof(
          fc.uuid().map((u) => `device-${u}`),
          deviceIdArb,
        ),
        os: fc.constantFrom('android', 'ios'),
        ssid: mostly(
          fc.uuid().map((u) => `ssid-${u.slice(0, 8)}`),
          ssidArb,
        ),
        expectedMobileNumber: mostly(fc.constant(CUSTOMER_MOBILE), mobileArb),
        udfParameters: mostly(
          fc.constant('{"udf1":"value1"}'),
          fc.constantFrom('{}', '[]', '{"a":"b#c"}'),
        ),
      },
      { requiredKeys: ['merchantCustomerId', 'deviceId', 'os'] },
    ),
  ),
  bindDevice: inputCase(
    'bindDevice',
    fc
      .record({
        attempt: bindBaseArb,
        idempotencyKey: fc.option(fc.oneof(fc.uuid(), smallHostileString), { freq: 2 }),
        deregisterOldBindings: fc.option(fc.boolean(), { freq: 2 }),
      })
      .map(({ attempt, idempotencyKey, deregisterOldBindings }) => ({
        ...bindInput(attempt),
        ...(idempotencyKey === null ? {} : { idempotencyKey }),
        ...(deregisterOldBindings === null ? {} : { deregisterOldBindings }),
      })),
  ),
  declineBinding: inputCase(
    'declineBinding',
    fc.record(
      {
        smsContent: declinableTokenArb,
        reason: mostly(fc.constant('changed my mind'), smallHostileString),
        udfParameters: mostly(
          fc.constant('{"udf1":"value1"}'),
          fc.constantFrom('{}', '[1]', '{"x":"a-b"}'),
        ),
      },
      { requiredKeys: ['smsContent'] },
    ),
  ),
  deregisterDevice: inputCase('deregisterDevice', fc.record({ deviceBindingId: bindingIdArb })),
  requestConsent: inputCase(
    'requestConsent',
    fc.record(
      {
        spTransactionID: fc.oneof(
          fc.uuid().map((u) => `tx-${u}`),
          transactionArb,
          longTransactionId,
        ),
        merchantCustomerId: customerIdArb,
        purpose: mostly(fc.constant('payment'), smallHostileString),
        expiresInSeconds: mostly(fc.integer({ min: 1, max: 604_800 }), fc.integer()),
        callbackUrl: mostly(
          fc.constantFrom('https://sp.example/callback', 'http://127.0.0.1:9/cb'),
          fc.oneof(fc.constant('ftp://x'), smallHostileString),
        ),
      },
      { requiredKeys: ['spTransactionID', 'merchantCustomerId', 'purpose'] },
    ),
  ),
  decideConsent: inputCase(
    'decideConsent',
    fc.record({
      spId: spIdArb,
      spTransactionID: transactionArb,
      decision: fc.oneof(fc.constantFrom('ACCEPT', 'REJECT'), smallHostileString),
      deviceFingerprint: fingerprintArb,
    }),
  ),
};

// ---------------------------------------------------------------------------------------------
// Sending and judging

function headersFor(auth: Auth): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth === 'A') Object.assign(headers, { 'x-api-key': A.apiKey, 'x-api-token': A.apiToken });
  if (auth === 'wrong')
    Object.assign(headers, { 'x-api-key': A.apiKey, 'x-api-token': `${A.apiToken}x` });
  if (auth === 'mixed')
    Object.assign(headers, { 'x-api-key': A.apiKey, 'x-api-token': B.apiToken });
  return headers;
}

async function send(op: Operation, variables: unknown, auth: Auth): Promise<Answer> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: headersFor(auth),
    body: JSON.stringify({ query: OPERATIONS[op].query, variables }),
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

/** Every Registration, DeviceBinding, Customer or ConsentTransaction object in an answer. */
function entitiesIn(value: unknown, found: Record<string, any>[] = []): Record<string, any>[] {
  if (Array.isArray(value)) value.forEach((v) => entitiesIn(v, found));
  else if (value !== null && typeof value === 'object') {
    const object = value as Record<string, any>;
    if (ENTITY_TYPES.has(object.__typename)) found.push(object);
    Object.values(object).forEach((v) => entitiesIn(v, found));
  }
  return found;
}

/** Whether the database says tenant A owns the entity an answer shows. */
async function ownedByA(entity: Record<string, any>): Promise<boolean> {
  const em = server.app.orm.em.fork();
  switch (entity.__typename) {
    case 'Registration':
      return (await em.count(Registration, { id: entity.id, tenantId: aTenantId })) === 1;
    case 'DeviceBinding':
      return (await em.count(DeviceBinding, { id: entity.id, tenantId: aTenantId })) === 1;
    case 'Customer':
      return (
        (await em.count(Customer, {
          merchantCustomerId: entity.merchantCustomerId,
          tenantId: aTenantId,
        })) === 1
      );
    default:
      return (
        (await em.count(ConsentTransaction, {
          spId: entity.spId,
          spTransactionId: entity.spTransactionID,
          tenantId: aTenantId,
        })) === 1
      );
  }
}

/** A message's kind: database errors by their SQL, others by their words without names. */
function errorClass(message: unknown): string {
  const text = String(message);
  if (/^(select|insert|update|delete) /i.test(text)) return 'database error, SQL in the message';
  if (/tried to load an entity for type|is not a possible type for "_Entity"/.test(text))
    return 'a representation whose __typename is no entity type';
  return text.replace(/"[^"]*"/g, '"…"').slice(0, 80);
}

function example(c: GqlCase, answer: Answer): string {
  return `${c.op} as ${c.auth} with ${preview(c.variables, 300)} -> ${answer.status} ${preview(answer.body ?? answer.text, 500)}`;
}

/** Judges one answer; records what an accepted request touched so its rows are accounted for. */
async function judge(c: GqlCase, answer: Answer, effects: Effects): Promise<void> {
  const fault = (kind: string) => violations.add(`${c.op}: ${kind}`, example(c, answer));
  const requestText = JSON.stringify(c.variables) ?? '';
  if (answer.status >= 500) return fault(`HTTP ${answer.status}`);
  const body = answer.body;
  if (body === undefined || body === null || typeof body !== 'object')
    return fault('answer is not JSON');

  for (const secret of bPrivate) {
    if (answer.text.includes(secret) && !requestText.includes(secret)) {
      fault("another tenant's data in the answer");
      break;
    }
  }

  if (answer.status >= 400) {
    const graphqlErrors = Array.isArray(body.errors) && body.errors.length > 0;
    // Fastify refuses some bodies before GraphQL sees them (over 256 KiB, or a `__proto__` key,
    // its prototype-poisoning guard), in its own `{statusCode, error, message}` shape.
    const refusedBeforeGraphql =
      (answer.status === 413 || answer.status === 400) &&
      typeof body.error === 'string' &&
      typeof body.message === 'string';
    if (!graphqlErrors && !refusedBeforeGraphql) fault(`HTTP ${answer.status} without errors`);
    tally(c.op, 'refusedAsInvalid');
    return;
  }
  if (answer.status !== 200) return fault(`HTTP ${answer.status}`);

  const op = OPERATIONS[c.op];
  const field = c.op;
  const data = body.data?.[field];
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    for (const error of body.errors as any[]) {
      const code = error?.extensions?.code;
      if (!REFUSAL_CODES.has(code)) {
        fault(`internal error ${code ?? '(no code)'} in a 200: ${errorClass(error?.message)}`);
        break;
      }
    }
    if (c.op !== '_entities' && data !== null && data !== undefined)
      fault('data beside a top-level error');
    tally(c.op, 'refusedAsInvalid');
    return;
  }
  if (c.auth !== 'A') return fault('answered without valid credentials');

  for (const entity of entitiesIn(data)) {
    if (!(await ownedByA(entity))) fault(`${entity.__typename} of another tenant in the answer`);
  }
  if (!('mutation' in op)) {
    const found = Array.isArray(data) ? data.some((d) => d !== null) : data !== null;
    tally(c.op, found ? 'answered' : 'refusedByRules');
    return;
  }

  const payload = data as Record<string, any> | null | undefined;
  if (!payload || !Array.isArray(payload.errors)) return fault('mutation payload without errors');
  const input = (c.variables as { input?: Record<string, any> }).input ?? {};
  if (payload.errors.length > 0) {
    for (const error of payload.errors) {
      const wellFormed =
        USER_ERROR_CODES.has(error?.code) &&
        typeof error.message === 'string' &&
        (error.field === null || Array.isArray(error.field));
      if (!wellFormed) fault('malformed UserError');
    }
    const others = Object.entries(payload).filter(([k, v]) => k !== 'errors' && v !== null);
    if (others.length > 0) fault('refusal that also answers data');
    if (
      c.op === 'requestConsent' &&
      payload.errors.some((e: any) => e.code === 'DUPLICATE_TRANSACTION') &&
      !aUsedTransactions.has(input.spTransactionID)
    ) {
      fault('DUPLICATE_TRANSACTION for an spTransactionID only another tenant used');
    }
    const invalid = payload.errors.every((e: any) => e?.code === 'INVALID_INPUT');
    tally(c.op, invalid ? 'refusedAsInvalid' : 'refusedByRules');
    return;
  }

  // Accepted: what it may write is accounted for, and only legitimate successes are expected.
  tally(c.op, 'answered');
  switch (c.op) {
    case 'requestSmsToken':
      effects.registrationIds.add(payload.registration.id);
      effects.merchantCustomerIds.add(input.merchantCustomerId);
      break;
    case 'requestConsent':
      effects.consentKeys.push({ spId: A.spId, spTransactionID: input.spTransactionID });
      effects.merchantCustomerIds.add(input.merchantCustomerId);
      aUsedTransactions.add(input.spTransactionID);
      if (payload.consentTransaction.status !== 'INIT_FAILED')
        fault('consent triggered for a customer the caller has no active binding for');
      break;
    case 'bindDevice':
      effects.smsContents.add(String(input.smsContent));
      if (typeof input.idempotencyKey === 'string')
        effects.idempotencyKeys.add(input.idempotencyKey);
      if (payload.registration.id !== world.a.bound.registrationId)
        fault('bound a registration that was not bound already');
      break;
    case 'deregisterDevice':
      if (payload.deviceBinding.id !== world.a.bindingId)
        fault('deregistered an unexpected binding');
      break;
    default:
      effects.smsContents.add(String(input?.smsContent));
      fault('accepted an input that no state allows');
  }
}

async function runBatch(cases: GqlCase[]): Promise<void> {
  const orm = server.app.orm;
  const before = await rowCounts(orm);
  const since = new Date();
  const effects = new Effects();
  await Promise.all(
    cases.map(async (c) => {
      try {
        const answer = await send(c.op, c.variables, c.auth);
        counter.add(c.op);
        await judge(c, answer, effects);
      } catch (error) {
        // Not answered at all (connection reset, server gone): as bad as a 5xx.
        violations.add(`${c.op}: request failed`, `${String(error)} for ${preview(c.variables)}`);
      }
    }),
  );
  const after = await rowCounts(orm);
  const explained = effects.empty ? {} : await attributableRows(orm, since, effects);
  const changes = unexplainedChanges(before, after, explained);
  if (Object.keys(changes).length > 0) {
    violations.add(
      `${cases[0].op}: rows changed by rejected input`,
      preview({ changes, variables: cases.map((c) => c.variables) }, 1_500),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Another tenant's keys answer like random keys

interface Probe {
  op: Operation;
  /** Victim keys (the probe's subject). */
  victim: () => string[];
  random: fc.Arbitrary<string>;
  variables: (key: string) => unknown;
}

const PROBES: Probe[] = [
  {
    op: 'registration',
    victim: () => world.b.registrationIds,
    random: fc.uuid(),
    variables: (id) => ({ id }),
  },
  {
    op: 'deviceBinding',
    victim: () => [world.b.bindingId],
    random: fc.uuid(),
    variables: (id) => ({ id }),
  },
  {
    op: 'customer',
    victim: () => [world.b.bound.merchantCustomerId, world.b.verified.merchantCustomerId],
    random: fc.uuid().map((u) => `cust-${u}`),
    variables: (merchantCustomerId) => ({ merchantCustomerId }),
  },
  {
    op: 'registrationStatus',
    victim: () => [world.b.bound.deviceId, world.b.verified.deviceId, world.b.pending.deviceId],
    random: fc.uuid().map((u) => `device-${u}`),
    variables: (deviceId) => ({
      deviceId,
      ssid:
        [world.b.bound, world.b.verified, world.b.pending].find((a) => a.deviceId === deviceId)
          ?.ssid ?? 'ssid-none',
    }),
  },
  {
    op: 'consentTransaction',
    victim: () => [world.b.consentTx],
    random: fc.uuid().map((u) => `tx-${u}`),
    variables: (spTransactionID) => ({ spId: B.spId, spTransactionID }),
  },
  {
    op: 'consentTransaction',
    victim: () => [B.spId],
    random: fc.uuid().map((u) => `sp_${u}`),
    variables: (spId) => ({ spId, spTransactionID: world.b.consentTx }),
  },
  {
    op: '_entities',
    victim: () => [...world.b.registrationIds, world.b.bindingId],
    random: fc.uuid(),
    variables: (id) => ({
      representations: [
        { __typename: 'Registration', id },
        { __typename: 'DeviceBinding', id },
      ],
    }),
  },
  {
    op: '_entities',
    victim: () => [world.b.bound.merchantCustomerId, world.b.consentTx],
    random: fc.uuid().map((u) => `cust-${u}`),
    variables: (key) => ({
      representations: [
        { __typename: 'Customer', merchantCustomerId: key },
        { __typename: 'ConsentTransaction', spId: B.spId, spTransactionID: key },
      ],
    }),
  },
  {
    op: 'bindDevice',
    victim: () => [
      world.b.bound.smsContent,
      world.b.verified.smsContent,
      world.b.pending.smsContent,
    ],
    random: randomToken,
    variables: (smsContent) => ({ input: { ...bindInput(world.b.verified), smsContent } }),
  },
  {
    op: 'declineBinding',
    victim: () => [
      world.b.bound.smsContent,
      world.b.verified.smsContent,
      world.b.pending.smsContent,
    ],
    random: randomToken,
    variables: (smsContent) => ({ input: { smsContent } }),
  },
  {
    op: 'deregisterDevice',
    victim: () => [world.b.bindingId],
    random: fc.uuid(),
    variables: (deviceBindingId) => ({ input: { deviceBindingId } }),
  },
  {
    op: 'decideConsent',
    victim: () => [world.b.consentTx],
    random: fc.uuid().map((u) => `tx-${u}`),
    variables: (spTransactionID) => ({
      input: {
        spId: B.spId,
        spTransactionID,
        decision: 'ACCEPT',
        deviceFingerprint: world.b.fingerprint,
      },
    }),
  },
];

// ---------------------------------------------------------------------------------------------

describe('hostile GraphQL input', () => {
  it("another tenant's keys answer exactly like random keys, for every operation that takes one", async () => {
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
                send(p.op, p.variables(victim), 'A'),
                send(p.op, p.variables(random), 'A'),
              ]);
              counter.add(`${p.op} (tenant probe)`, 2);
              const keys = [victim, random];
              const seen = `${forVictim.status} ${normalized(forVictim.text, keys)}`;
              const expected = `${forRandom.status} ${normalized(forRandom.text, keys)}`;
              if (seen !== expected) {
                violations.add(
                  `${p.op}: another tenant's key answers unlike a random key`,
                  `${preview(p.variables(victim))} -> ${preview(forVictim.text)}; random key -> ${preview(forRandom.text)}`,
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

  it.each(Object.keys(CASES) as Operation[])(
    '%s: no 5xx, only refusals or legitimate answers, no rows changed by rejected input',
    async (op) => {
      violations = new Violations();
      await fc.assert(
        fc.asyncProperty(
          fc.array(CASES[op], { minLength: IN_FLIGHT, maxLength: IN_FLIGHT }),
          runBatch,
        ),
        { numRuns: BATCHES_PER_OPERATION },
      );
      expect(violations.report()).toEqual({});
    },
  );

  it("left the other tenant's data as it was", async () => {
    const em = server.app.orm.em.fork();
    const statuses = await Promise.all(
      [world.b.bound, world.b.verified, world.b.pending].map(
        async (a) => (await em.findOneOrFail(Registration, { id: a.registrationId })).status,
      ),
    );
    expect(statuses).toEqual(['BOUND', 'SMS_VERIFIED', 'PENDING_SMS']);
    expect((await em.findOneOrFail(DeviceBinding, { id: world.b.bindingId })).status).toBe(
      'ACTIVE',
    );
    expect(
      (
        await em.findOneOrFail(ConsentTransaction, {
          spId: B.spId,
          spTransactionId: world.b.consentTx,
        })
      ).status,
    ).toBe('TRIGGERED');
  });

  it(`sent at least ${MIN_INPUTS} generated inputs, reaching past validation on every operation`, () => {
    expect(counter.total).toBeGreaterThanOrEqual(MIN_INPUTS);
    for (const op of Object.keys(OPERATIONS) as Operation[]) {
      const seen = reach[op];
      // Every operation saw refusals of its input and inputs that reached the service's rules;
      // all but decline and decide (no state of the attacker's lets those succeed) saw answers.
      expect([op, seen.refusedAsInvalid > 0, seen.answered + seen.refusedByRules > 0]).toEqual([
        op,
        true,
        true,
      ]);
      if (op !== 'declineBinding' && op !== 'decideConsent')
        expect([op, seen.answered > 0]).toEqual([op, true]);
    }
  });
});
