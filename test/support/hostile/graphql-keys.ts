import fc from 'fast-check';
import { CUSTOMER_MOBILE } from '../flows';
import { type Auth } from './graphql-operations';
import { keyOf, lazy, randomToken } from './keys';
import { hostileString } from './strings';
import { world } from './world';

/** Pools of keys for GraphQL arguments: the attacker's own, the victim's, random ones, hostile text. */

export const randomHex64 = fc.string({
  unit: fc.constantFrom(...'0123456789abcdef'),
  minLength: 64,
  maxLength: 64,
});

export const registrationIdArb = keyOf(
  () => world.a.registrationIds,
  () => world.b.registrationIds,
  fc.uuid(),
);
export const bindingIdArb = keyOf(
  () => [world.a.bindingId],
  () => [world.b.bindingId],
  fc.uuid(),
);
export const customerIdArb = keyOf(
  () => [world.a.bound.merchantCustomerId, world.a.pending.merchantCustomerId],
  () => [world.b.bound.merchantCustomerId, world.b.verified.merchantCustomerId],
  fc.uuid().map((u) => `cust-${u}`),
);
export const deviceIdArb = keyOf(
  () => [world.a.bound.deviceId, world.a.pending.deviceId],
  () => [world.b.bound.deviceId, world.b.verified.deviceId, world.b.pending.deviceId],
  fc.uuid().map((u) => `device-${u}`),
);
export const ssidArb = keyOf(
  () => [world.a.bound.ssid, world.a.pending.ssid],
  () => [world.b.bound.ssid, world.b.verified.ssid, world.b.pending.ssid],
  fc.uuid().map((u) => `ssid-${u.slice(0, 8)}`),
);
export const fingerprintArb = keyOf(
  () => [world.a.fingerprint],
  () => [world.b.fingerprint],
  randomHex64,
);
/** Tokens that can never change state when A declines them (no pending or verified one of A). */
export const declinableTokenArb = keyOf(
  () => [world.a.bound.smsContent, world.a.declined.smsContent],
  () => [world.b.bound.smsContent, world.b.verified.smsContent, world.b.pending.smsContent],
  randomToken,
);
export const mobileArb = fc.oneof(
  fc.constant(CUSTOMER_MOBILE),
  fc.constantFrom('919800000099', '+91 98123 45678', '9812345678'),
  hostileString,
);
export const authArb: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 16, arbitrary: fc.constant<Auth>('A') },
  { weight: 1, arbitrary: fc.constantFrom<Auth>('none', 'wrong', 'mixed') },
);

/** Attempts bindDevice may start from: none of them can bind anew. */
export const bindBaseArb = lazy(() => [
  world.a.bound,
  world.a.pending,
  world.a.declined,
  world.b.bound,
  world.b.verified,
  world.b.pending,
]);

/** A well-formed value three times in four, else a hostile one. */
export const mostly = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: hostile });
