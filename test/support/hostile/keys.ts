import fc from 'fast-check';
import { edgeLengthString, hostileString } from './strings';
import { world } from './world';

/** Values chosen lazily: the world the suites seed exists only once beforeAll ran. */
export const lazy = <T>(pick: () => T[]): fc.Arbitrary<T> =>
  fc.nat().map((n) => {
    const values = pick();
    return values[n % values.length];
  });

/** A lookup key: the caller's own, another tenant's, a random one, or a hostile string. */
export const keyOf = (own: () => string[], victims: () => string[], random: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 2, arbitrary: lazy(own) },
    { weight: 3, arbitrary: lazy(victims) },
    { weight: 2, arbitrary: random },
    { weight: 3, arbitrary: hostileString },
    { weight: 1, arbitrary: edgeLengthString },
  );

/** A well-formed SMS token of nobody: the prefix and 32 random characters. */
export const randomToken = fc
  .string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
    minLength: 32,
    maxLength: 32,
  })
  .map((s) => `UPIACT ${s}`);

/** The consent keys both suites probe with: A's and B's spId and transaction, random ones. */
export const spIdArb = keyOf(
  () => [world.a.tenant.spId],
  () => [world.b.tenant.spId],
  fc.uuid().map((u) => `sp_${u}`),
);
export const transactionArb = keyOf(
  () => [world.a.consentTx],
  () => [world.b.consentTx],
  fc.uuid().map((u) => `tx-${u}`),
);
