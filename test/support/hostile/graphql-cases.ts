import fc from 'fast-check';
import { bindInput, CUSTOMER_MOBILE } from '../flows';
import {
  authArb,
  bindBaseArb,
  bindingIdArb,
  customerIdArb,
  declinableTokenArb,
  deviceIdArb,
  fingerprintArb,
  mobileArb,
  mostly,
  registrationIdArb,
  ssidArb,
} from './graphql-keys';
import { type GqlCase, type Operation } from './graphql-operations';
import { spIdArb, transactionArb } from './keys';
import { longTransactionId, smallHostileString } from './strings';
import { hostileValue, mutatedObject, wrongTypeValue } from './values';

/** Generated variables for every operation: mostly well-formed inputs with hostile changes. */

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

export const CASES: Record<Operation, fc.Arbitrary<GqlCase>> = {
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
