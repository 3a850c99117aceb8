import fc from 'fast-check';
import { CUSTOMER_MOBILE } from '../flows';
import { VMN_NUMBER } from '../server';
import { keyOf, lazy, randomToken } from './keys';
import { hostileString, INJECTION_STRINGS, smallHostileString } from './strings';
import { world } from './world';

/** Pools of keys for REST bodies and headers: A's own, B's, random ones, hostile text. */

export const randomDigits = fc.string({
  unit: fc.constantFrom(...'0123456789'),
  minLength: 10,
  maxLength: 10,
});

export const refNumberArb = keyOf(
  () => world.a.refNumbers,
  () => world.b.refNumbers,
  randomDigits,
);
export const deviceIdArb = keyOf(
  () => world.aAttempts.map((a) => a.deviceId),
  () => world.bAttempts.map((a) => a.deviceId),
  fc.uuid().map((u) => `device-${u}`),
);
export const ssidArb = keyOf(
  () => world.aAttempts.map((a) => a.ssid),
  () => world.bAttempts.map((a) => a.ssid),
  fc.uuid().map((u) => `ssid-${u.slice(0, 8)}`),
);
export const customerIdArb = keyOf(
  () => world.aAttempts.map((a) => a.merchantCustomerId),
  () => world.bAttempts.map((a) => a.merchantCustomerId),
  fc.uuid().map((u) => `cust-${u}`),
);
/** Tokens whose registration no request of A may move: A's bound and declined, all of B's. */
export const spentOrForeignTokenArb = keyOf(
  () => [world.a.bound.smsContent, world.a.declined.smsContent],
  () => world.bAttempts.map((a) => a.smsContent),
  randomToken,
);
/** Tokens bind may be tried with: none of them can bind anew. */
export const bindTokenArb = keyOf(
  () => world.aAttempts.map((a) => a.smsContent),
  () => world.bAttempts.map((a) => a.smsContent),
  randomToken,
);
/** Tokens the VMN may report: only spent ones (a live one would legitimately change state). */
export const reportedTokenArb = keyOf(
  () => [world.a.bound.smsContent, world.a.declined.smsContent],
  () => [world.b.bound.smsContent],
  randomToken,
);
export const mobileArb = fc.oneof(
  fc.constantFrom(CUSTOMER_MOBILE, '919800000099', '+91 98123 45678', '9812345678', VMN_NUMBER),
  hostileString,
);
export const udfArb = fc.oneof(
  fc.constantFrom('{"udf1":"value1","udf2":"value2"}', '{}', '', '[1]', '{"a":"b-c"}', '{"a":1'),
  smallHostileString,
);

/** Text fetch can put in a header: printable Latin-1, no CR, LF or NUL. */
export const headerSafe = (text: string) =>
  [...text]
    .filter((ch) => {
      const code = ch.charCodeAt(0);
      return ch.length === 1 && code >= 0x20 && code <= 0xff && code !== 0x7f;
    })
    .join('');

export const customerReferenceArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 4, arbitrary: lazy(() => world.aAttempts.map((a) => a.merchantCustomerId)) },
  { weight: 2, arbitrary: lazy(() => world.bAttempts.map((a) => a.merchantCustomerId)) },
  { weight: 2, arbitrary: fc.uuid().map((u) => `cust-${u}`) },
  { weight: 2, arbitrary: fc.constantFrom(...INJECTION_STRINGS).map(headerSafe) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map(headerSafe) },
  { weight: 1, arbitrary: fc.constant(null) },
);
