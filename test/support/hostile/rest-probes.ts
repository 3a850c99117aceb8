import fc from 'fast-check';
import { CUSTOMER_MOBILE } from '../flows';
import { type KeyProbe } from './invariants';
import { randomToken } from './keys';
import { randomDigits } from './rest-keys';
import { type RestCase, type Route } from './rest-routes';
import { world } from './world';

/** For each route that takes a key, B's keys and random keys of the same shape. */

export interface Probe extends KeyProbe {
  route: Route;
  body: (key: string) => Record<string, unknown>;
  customerReference?: (key: string) => string;
}

export const PROBES: Probe[] = [
  {
    route: 'enstagePolling',
    victim: () => world.b.refNumbers,
    random: randomDigits,
    body: (refNumber) => ({ refNumber }),
  },
  {
    route: 'enstagePolling',
    victim: () => world.bAttempts.map((a) => a.deviceId),
    random: fc.uuid().map((u) => `device-${u}`),
    body: (deviceId) => ({
      deviceId,
      ssid: world.bAttempts.find((a) => a.deviceId === deviceId)?.ssid ?? 'ssid-none',
    }),
  },
  {
    route: 'enstageDecline',
    victim: () => world.bAttempts.map((a) => a.smsContent),
    random: randomToken,
    body: (smsContent) => ({ udfParameters: '{"udf1":"value1"}', smsContent }),
  },
  {
    route: 'razorpayBind',
    victim: () => world.bAttempts.map((a) => a.smsContent),
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
    victim: () => world.bAttempts.map((a) => a.smsContent),
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
    body: (spTransactionID) => ({ spTransactionID, spId: world.a.tenant.spId }),
  },
  {
    route: 'uaePassStatus',
    victim: () => [world.b.tenant.spId],
    random: fc.uuid().map((u) => `sp_${u}`),
    body: (spId) => ({ spTransactionID: world.b.consentTx, spId }),
  },
  {
    route: 'uaePassSend',
    victim: () => [world.b.tenant.spId],
    random: fc.uuid().map((u) => `sp_${u}`),
    body: (spId) => ({
      spTransactionID: world.b.consentTx,
      spId,
      identifier: world.b.bound.merchantCustomerId,
      purpose: 'payment',
    }),
  },
];

/** The request a probe sends for `key`: valid credentials of A, a JSON body. */
export function probeCase(p: Probe, key: string): RestCase {
  const value = p.body(key);
  return {
    route: p.route,
    raw: JSON.stringify(value),
    value,
    contentType: 'application/json',
    auth: 'valid',
    customerReference: p.customerReference ? p.customerReference(key) : null,
    replay: false,
  };
}
