import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { type ExecutionResult, type GraphQLSchema, graphql, parse, subscribe } from 'graphql';
import pino from 'pino';
import { OutboxRelay } from '../../src/events/outbox-relay';
import { type EventBus, InProcessEventBus, type PublishedEvent } from '../../src/events/pubsub';
import { createGraphqlContext } from '../../src/graphql/context';
import { buildBinderySchema } from '../../src/graphql/schema';
import { type Orm } from '../../src/persistence/orm';
import { type Caller, type Services, createServices } from '../../src/services';
import { TenantService } from '../../src/services/tenant-service';
import { type TestDatabase, openMigratedOrm } from '../support/database';
import { serviceConfig } from '../support/service-config';

const VMN = '919900000001';

/** The real in-process bus, counting live subscribers so a test can see one leave. */
class ObservedBus implements EventBus {
  listeners = 0;
  private readonly inner = new InProcessEventBus();
  publish(event: PublishedEvent) {
    return this.inner.publish(event);
  }
  subscribe(listener: (event: PublishedEvent) => void) {
    this.listeners++;
    const off = this.inner.subscribe(listener);
    return () => {
      this.listeners--;
      off();
    };
  }
  close() {
    return this.inner.close();
  }
}

let orm: Orm;
let db: TestDatabase;
let bus: ObservedBus;
let services: Services;
let relay: OutboxRelay;
let schema: GraphQLSchema;
let tenantA: Caller;
let tenantB: Caller;
let queries: string[] | null = null;

async function newTenant(): Promise<Caller> {
  const tenants = new TenantService({ orm, secretsKey: randomBytes(32) });
  const merchantId = `M${randomBytes(4).toString('hex')}`;
  const { spId } = await tenants.createTenant({ merchantId, merchantChannelId: 'APP' });
  const tenant = await tenants.findByMerchant(merchantId, 'APP');
  return { tenantId: tenant!.id, merchantId, merchantChannelId: 'APP', spId };
}

beforeAll(async () => {
  ({ orm, db } = await openMigratedOrm({ onQuery: (sql) => queries?.push(sql) }));
  bus = new ObservedBus();
  services = createServices({ orm, config: serviceConfig(), clock: () => new Date() }, bus);
  relay = new OutboxRelay(orm, bus, pino({ level: 'silent' }), 60_000);
  schema = await buildBinderySchema();
  [tenantA, tenantB] = [await newTenant(), await newTenant()];
});

afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

type Data = Record<string, any>;

function run(caller: Caller | null, source: string, variableValues?: Data) {
  const contextValue = createGraphqlContext(services, caller);
  return graphql({ schema, source, variableValues, contextValue }) as Promise<
    ExecutionResult<Data>
  >;
}

async function data(caller: Caller | null, source: string, variableValues?: Data): Promise<Data> {
  const result = await run(caller, source, variableValues);
  expect(result.errors).toBeUndefined();
  return result.data!;
}

const REQUEST_SMS_TOKEN = `mutation ($input: RequestSmsTokenInput!) { requestSmsToken(input: $input) {
  smsContent registration { id status vmn } errors { code field } } }`;
const BIND_DEVICE = `mutation ($input: BindDeviceInput!) { bindDevice(input: $input) {
  registration { id status } deviceBinding { id fingerprint status } errors { code field } } }`;
const REQUEST_CONSENT = `mutation ($input: RequestConsentInput!) { requestConsent(input: $input) {
  consentTransaction { spId spTransactionID status } errors { code field } } }`;
const DECIDE_CONSENT = `mutation ($input: DecideConsentInput!) { decideConsent(input: $input) {
  consentTransaction { status } errors { code field } } }`;

interface Attempt {
  caller: Caller;
  customer: string;
  deviceId: string;
  ssid: string;
  mobile: string;
  registrationId: string;
  smsContent: string;
}

async function startAttempt(caller: Caller): Promise<Attempt> {
  const tag = randomBytes(4).toString('hex');
  const [customer, deviceId, ssid] = [`cust-${tag}`, `dev-${tag}`, `sim-${tag}`];
  const input = { merchantCustomerId: customer, deviceId, os: 'android', ssid };
  const { requestSmsToken } = await data(caller, REQUEST_SMS_TOKEN, { input });
  expect(requestSmsToken.errors).toEqual([]);
  const mobile = `9198${randomInt(10_000_000, 100_000_000)}`;
  const { smsContent, registration } = requestSmsToken;
  return { caller, customer, deviceId, ssid, mobile, registrationId: registration.id, smsContent };
}

/** What the VMN aggregator's webhook does when the customer's phone sends the token. */
async function smsArrives(attempt: Attempt, from = attempt.mobile): Promise<void> {
  const receivedAt = new Date().toISOString();
  const sms = { messageId: randomUUID(), from, to: VMN, content: attempt.smsContent, receivedAt };
  expect((await services.inboundSms.accept(sms)).ok).toBe(true);
}

const PHONE = { manufacturer: 'Acme', model: 'A1', os: 'android', osVersion: '14' };

function bindInput(attempt: Attempt, overrides: Data = {}): Data {
  const { customer, smsContent, deviceId, ssid, mobile } = attempt;
  const claim = { merchantCustomerId: customer, smsContent, deviceId, ssid, mobileNumber: mobile };
  return { ...claim, ...PHONE, packageName: 'com.example.pay', ...overrides };
}

async function boundDevice(caller: Caller) {
  const attempt = await startAttempt(caller);
  await smsArrives(attempt);
  const { bindDevice } = await data(caller, BIND_DEVICE, { input: bindInput(attempt) });
  expect(bindDevice.errors).toEqual([]);
  return {
    ...attempt,
    bindingId: bindDevice.deviceBinding.id,
    fingerprint: bindDevice.deviceBinding.fingerprint,
  };
}

async function consentFor(customer: string, caller: Caller): Promise<string> {
  const spTransactionID = `tx-${randomUUID()}`;
  const input = { spTransactionID, merchantCustomerId: customer, purpose: 'Pay 10 AED' };
  const { requestConsent } = await data(caller, REQUEST_CONSENT, { input });
  expect(requestConsent.consentTransaction.status).toBe('TRIGGERED');
  return spTransactionID;
}

describe('binding a device through GraphQL', () => {
  it('issues a token, sees the SMS verified, binds, and lists the binding on the customer', async () => {
    const attempt = await startAttempt(tenantA);
    const byId = `query ($id: ID!) { registration(id: $id) { status mobileNumber history { status } } }`;
    expect((await data(tenantA, byId, { id: attempt.registrationId })).registration.status).toBe(
      'PENDING_SMS',
    );
    expect(attempt.smsContent).toMatch(/^UPIACT \S{28,}$/);

    await smsArrives(attempt);
    const verified = (await data(tenantA, byId, { id: attempt.registrationId })).registration;
    expect(verified).toEqual({
      status: 'SMS_VERIFIED',
      mobileNumber: attempt.mobile,
      history: [{ status: 'PENDING_SMS' }, { status: 'SMS_VERIFIED' }],
    });

    const { bindDevice } = await data(tenantA, BIND_DEVICE, { input: bindInput(attempt) });
    expect(bindDevice.errors).toEqual([]);
    expect(bindDevice.registration).toEqual({ id: attempt.registrationId, status: 'BOUND' });
    expect(bindDevice.deviceBinding.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(bindDevice.deviceBinding.status).toBe('ACTIVE');

    const customer = `query ($c: ID!, $d: String!, $s: String!) {
      customer(merchantCustomerId: $c) { devices { fingerprint } registrations { status deviceBinding { id } } }
      registrationStatus(deviceId: $d, ssid: $s) { id status } }`;
    const seen = await data(tenantA, customer, {
      c: attempt.customer,
      d: attempt.deviceId,
      s: attempt.ssid,
    });
    expect(seen.customer.devices).toEqual([{ fingerprint: bindDevice.deviceBinding.fingerprint }]);
    expect(seen.customer.registrations).toEqual([
      { status: 'BOUND', deviceBinding: { id: bindDevice.deviceBinding.id } },
    ]);
    expect(seen.registrationStatus).toEqual({ id: attempt.registrationId, status: 'BOUND' });
  });

  it('answers refused requests with UserErrors whose field path starts at input', async () => {
    const invalid = { merchantCustomerId: 'has space', deviceId: 'd1', os: 'android' };
    const { requestSmsToken } = await data(tenantA, REQUEST_SMS_TOKEN, { input: invalid });
    expect(requestSmsToken).toEqual({
      smsContent: null,
      registration: null,
      errors: [{ code: 'INVALID_INPUT', field: ['input', 'merchantCustomerId'] }],
    });

    const attempt = await startAttempt(tenantA);
    const early = await data(tenantA, BIND_DEVICE, { input: bindInput(attempt) });
    expect(early.bindDevice.errors).toEqual([
      { code: 'SMS_VERIFICATION_PENDING', field: ['input', 'smsContent'] },
    ]);
    await smsArrives(attempt);
    const other = await data(tenantA, BIND_DEVICE, {
      input: bindInput(attempt, { mobileNumber: '919811111111' }),
    });
    expect(other.bindDevice).toEqual({
      registration: null,
      deviceBinding: null,
      errors: [{ code: 'MOBILE_MISMATCH', field: ['input', 'mobileNumber'] }],
    });
  });
});

describe('credentials', () => {
  const unauthenticated = { code: 'UNAUTHENTICATED', http: { status: 401 } };

  it.each([
    ['a query', '{ registration(id: "x") { id } }'],
    [
      'a mutation',
      'mutation { deregisterDevice(input: { deviceBindingId: "x" }) { errors { code } } }',
    ],
    [
      '_entities',
      '{ _entities(representations: [{ __typename: "Registration", id: "x" }]) { __typename } }',
    ],
  ])('refuses %s without a caller', async (_what, source) => {
    const result = await run(null, source);
    expect(result.errors?.map((error) => error.extensions)).toEqual([unauthenticated]);
  });

  it('refuses a subscription without a caller', async () => {
    const document = parse('subscription { registrationStatusChanged(id: "x") { id } }');
    const result = (await subscribe({
      schema,
      document,
      contextValue: createGraphqlContext(services, null),
    })) as ExecutionResult;
    expect(result.errors?.map((error) => error.extensions)).toEqual([unauthenticated]);
  });

  it('serves the SDL to the router without credentials', async () => {
    const { _service } = await data(null, '{ _service { sdl } }');
    expect(_service.sdl).toMatch(/type Registration\s+@key\(fields: "id"\)/);
  });
});

describe('tenant isolation', () => {
  let a: Awaited<ReturnType<typeof boundDevice>>;
  let aConsent: string;

  beforeAll(async () => {
    a = await boundDevice(tenantA);
    aConsent = await consentFor(a.customer, tenantA);
  });

  const LOOKUP = `query ($r: ID!, $b: ID!, $c: ID!, $sp: String!, $tx: String!) {
    registration(id: $r) { id } deviceBinding(id: $b) { id } customer(merchantCustomerId: $c) { merchantCustomerId }
    consentTransaction(spId: $sp, spTransactionID: $tx) { spTransactionID } }`;

  it("answers null to tenant B for tenant A's rows, exactly as for rows that do not exist", async () => {
    const aRows = {
      r: a.registrationId,
      b: a.bindingId,
      c: a.customer,
      sp: tenantA.spId,
      tx: aConsent,
    };
    const missing = {
      r: randomUUID(),
      b: randomUUID(),
      c: 'nobody',
      sp: tenantA.spId,
      tx: 'tx-none',
    };
    const nothing = {
      registration: null,
      deviceBinding: null,
      customer: null,
      consentTransaction: null,
    };
    expect(await data(tenantB, LOOKUP, aRows)).toEqual(nothing);
    expect(await data(tenantB, LOOKUP, missing)).toEqual(nothing);
    expect(Object.values(await data(tenantA, LOOKUP, aRows))).not.toContain(null);
  });

  it("refuses tenant B's mutations on tenant A's rows with NOT_FOUND, as for rows that do not exist", async () => {
    const DECLINE = `mutation ($input: DeclineBindingInput!) { declineBinding(input: $input) { errors { code field } } }`;
    const DEREGISTER = `mutation ($input: DeregisterDeviceInput!) { deregisterDevice(input: $input) { errors { code field } } }`;
    const stranger = { ...a, smsContent: `UPIACT ${randomBytes(16).toString('hex')}` };
    const attempts: [string, (row: typeof a, tx: string) => Data][] = [
      [BIND_DEVICE, (row) => bindInput(row)],
      [DECLINE, (row) => ({ smsContent: row.smsContent })],
      [DEREGISTER, (row) => ({ deviceBindingId: row.bindingId })],
      [
        DECIDE_CONSENT,
        (row, tx) => ({
          spId: tenantA.spId,
          spTransactionID: tx,
          decision: 'ACCEPT',
          deviceFingerprint: row.fingerprint,
        }),
      ],
    ];
    for (const [source, input] of attempts) {
      const foreign = Object.values(await data(tenantB, source, { input: input(a, aConsent) }))[0];
      const absent = Object.values(
        await data(tenantB, source, {
          input: input({ ...stranger, bindingId: randomUUID() }, 'tx-none'),
        }),
      )[0];
      expect(foreign.errors).toEqual([{ code: 'NOT_FOUND', field: expect.any(Array) }]);
      expect(foreign.errors).toEqual(absent.errors);
    }
    const STATUSES = `query ($b: ID!, $sp: String!, $tx: String!) { deviceBinding(id: $b) { status }
      consentTransaction(spId: $sp, spTransactionID: $tx) { status } }`;
    const unchanged = { b: a.bindingId, sp: tenantA.spId, tx: aConsent };
    expect(await data(tenantA, STATUSES, unchanged)).toEqual({
      deviceBinding: { status: 'ACTIVE' },
      consentTransaction: { status: 'TRIGGERED' },
    });
  });

  it("answers _entities with nulls for the other tenant's representations, one query per type", async () => {
    const b = await boundDevice(tenantB);
    const bConsent = await consentFor(b.customer, tenantB);
    const representations = [a, b].flatMap((row) => [
      { __typename: 'Registration', id: row.registrationId },
      { __typename: 'DeviceBinding', id: row.bindingId },
      { __typename: 'Customer', merchantCustomerId: row.customer },
      {
        __typename: 'ConsentTransaction',
        spId: row.caller.spId,
        spTransactionID: row === a ? aConsent : bConsent,
      },
    ]);
    const source = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
      __typename ... on Registration { id } ... on DeviceBinding { id } ... on Customer { merchantCustomerId }
      ... on ConsentTransaction { spTransactionID } } }`;
    queries = [];
    const { _entities } = await data(tenantA, source, { representations });
    const tables = queries.map((sql) => /\bfrom [`"](\w+)[`"]/.exec(sql)?.[1]).filter(Boolean);
    queries = null;
    expect(_entities.slice(0, 4)).toEqual([
      { __typename: 'Registration', id: a.registrationId },
      { __typename: 'DeviceBinding', id: a.bindingId },
      { __typename: 'Customer', merchantCustomerId: a.customer },
      { __typename: 'ConsentTransaction', spTransactionID: aConsent },
    ]);
    expect(_entities.slice(4)).toEqual([null, null, null, null]);
    for (const table of ['registration', 'device_binding', 'customer', 'consent_transaction']) {
      expect(tables.filter((name) => name === table)).toHaveLength(1);
    }
  });
});

describe('subscriptions', () => {
  type Stream = AsyncIterableIterator<ExecutionResult<Data>>;

  /** A stream of results, or the single result that refused the subscription. */
  async function open(caller: Caller | null, source: string, variableValues: Data) {
    const contextValue = createGraphqlContext(services, caller);
    return subscribe({ schema, document: parse(source), variableValues, contextValue }) as Promise<
      Stream | ExecutionResult
    >;
  }

  async function watch(source: string, variableValues: Data): Promise<Stream> {
    const opened = await open(tenantA, source, variableValues);
    if (!(Symbol.asyncIterator in opened)) throw new Error(JSON.stringify(opened.errors));
    return opened;
  }
  const WATCH = `subscription ($id: ID!) { registrationStatusChanged(id: $id) {
    status history { status } deviceBinding { fingerprint } } }`;

  it('follows a registration from PENDING_SMS through SMS_VERIFIED to BOUND, then completes', async () => {
    const attempt = await startAttempt(tenantA);
    const stream = await watch(WATCH, { id: attempt.registrationId });
    const next = async () => (await stream.next()).value?.data?.registrationStatusChanged;

    expect(await next()).toEqual({
      status: 'PENDING_SMS',
      history: [{ status: 'PENDING_SMS' }],
      deviceBinding: null,
    });
    await smsArrives(attempt);
    await relay.drain();
    expect(await next()).toMatchObject({
      status: 'SMS_VERIFIED',
      history: { length: 2 },
      deviceBinding: null,
    });
    const { bindDevice } = await data(tenantA, BIND_DEVICE, { input: bindInput(attempt) });
    await relay.drain();
    expect(await next()).toMatchObject({
      status: 'BOUND',
      history: { length: 3 },
      deviceBinding: { fingerprint: bindDevice.deviceBinding.fingerprint },
    });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('follows a consent from TRIGGERED to ACCEPTED, then completes', async () => {
    const device = await boundDevice(tenantA);
    const spTransactionID = await consentFor(device.customer, tenantA);
    const source = `subscription ($sp: String!, $tx: String!) { consentStatusChanged(spId: $sp, spTransactionID: $tx) { status } }`;
    const stream = await watch(source, { sp: tenantA.spId, tx: spTransactionID });
    expect((await stream.next()).value.data).toEqual({
      consentStatusChanged: { status: 'TRIGGERED' },
    });
    const input = {
      spId: tenantA.spId,
      spTransactionID,
      decision: 'ACCEPT',
      deviceFingerprint: device.fingerprint,
    };
    expect((await data(tenantA, DECIDE_CONSENT, { input })).decideConsent.errors).toEqual([]);
    await relay.drain();
    expect((await stream.next()).value.data).toEqual({
      consentStatusChanged: { status: 'ACCEPTED' },
    });
    expect((await stream.next()).done).toBe(true);
  });

  it("refuses tenant A's registration to tenant B exactly as a registration that does not exist", async () => {
    const attempt = await startAttempt(tenantA);
    const foreign = (await open(tenantB, WATCH, { id: attempt.registrationId })) as ExecutionResult;
    const absent = (await open(tenantB, WATCH, { id: randomUUID() })) as ExecutionResult;
    expect(foreign.errors?.map((error) => error.extensions.code)).toEqual(['NOT_FOUND']);
    expect(foreign.errors?.map(String)).toEqual(absent.errors?.map(String));
  });

  it('leaves the event bus when the client closes it, even while waiting for a change', async () => {
    const attempt = await startAttempt(tenantA);
    const before = bus.listeners;
    const stream = await watch(WATCH, { id: attempt.registrationId });
    await stream.next();
    expect(bus.listeners).toBe(before + 1);
    const waiting = stream.next();
    await stream.return?.();
    expect((await waiting).done).toBe(true);
    expect(bus.listeners).toBe(before);
  });
});
