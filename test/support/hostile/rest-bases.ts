import fc from 'fast-check';
import { CUSTOMER_MOBILE } from '../flows';
import { VMN_NUMBER } from '../server';
import {
  bindTokenArb,
  customerIdArb,
  deviceIdArb,
  mobileArb,
  refNumberArb,
  reportedTokenArb,
  spentOrForeignTokenArb,
  ssidArb,
  udfArb,
} from './rest-keys';
import { type Route } from './rest-routes';
import { lazy, spIdArb, transactionArb } from './keys';
import { longTransactionId, smallHostileString } from './strings';
import { world } from './world';

/** A well-formed body of each route, built from the key pools. */

export const deviceFields = fc.record({
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

export const BASES: Record<Route, fc.Arbitrary<Record<string, unknown>>> = {
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
      attempt: lazy(() => [...world.aAttempts, ...world.bAttempts]),
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
    .record({ attempt: lazy(() => [...world.aAttempts, ...world.bAttempts]), token: bindTokenArb })
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
