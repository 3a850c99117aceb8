import fc from 'fast-check';
import { hostileString, smallHostileString } from './strings';

/** Values of the wrong type, and well-formed objects with some fields made hostile. */

/** Numbers outside every range a field takes: beyond Int32, beyond 2^53, fractions, -0. */
export const outOfRangeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53 + 2,
    -(2 ** 53) - 2,
    -0,
    0.5,
    -1,
    0,
    1e21,
    1e308,
    -1e308,
    Number.MIN_VALUE,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Objects a NoSQL- or ORM-minded attacker sends where a scalar belongs. */
export const operatorObject: fc.Arbitrary<Record<string, unknown>> = fc.constantFrom(
  { $gt: '' },
  { $ne: null },
  { $in: ['a', 'b'] },
  { $regex: '.*' },
  { $like: '%' },
  { toString: 'x', valueOf: 1 },
  { length: 1e9 },
  JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>,
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}') as Record<string, unknown>,
);

/** An object nested 2 to 2 000 levels deep with a hostile leaf, keys included (`__proto__` too). */
export const deepObject: fc.Arbitrary<unknown> = fc
  .record({
    depth: fc.integer({ min: 2, max: 2_000 }),
    key: fc.constantFrom('a', '$gt', 'input', '0', '__proto__', 'id'),
    leaf: fc.oneof(smallHostileString, fc.constant(null), fc.integer()),
  })
  // Built from text so a `__proto__` key stays an own property, as a parsed request body has it.
  .map(
    ({ depth, key, leaf }) =>
      JSON.parse(
        `${`{${JSON.stringify(key)}:`.repeat(depth)}${JSON.stringify(leaf)}${'}'.repeat(depth)}`,
      ) as unknown,
  );

/** A JSON value of any type but the expected string: numbers, booleans, null, arrays, objects. */
export const wrongTypeValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: outOfRangeNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.array(smallHostileString, { maxLength: 4 }) },
  { weight: 2, arbitrary: deepObject },
  { weight: 2, arbitrary: operatorObject },
  {
    weight: 1,
    arbitrary: fc.dictionary(smallHostileString, smallHostileString, { maxKeys: 4 }),
  },
);

/** Any hostile JSON value: mostly hostile text, sometimes a value of the wrong type. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: wrongTypeValue },
);

/** Field names that no input declares. */
export const unknownFieldName = fc.constantFrom(
  'imei',
  '__proto__',
  'constructor',
  'tenantId',
  'id',
  'status',
  '$where',
  '',
  'a'.repeat(300),
);

/**
 * An object with some of its fields replaced by hostile values, removed, or joined by unknown
 * fields. Fields listed in `keep` stay as given (e.g. the token that picks the registration).
 */
export function mutatedObject(
  base: Record<string, unknown>,
  options: { keep?: readonly string[]; value?: fc.Arbitrary<unknown> } = {},
): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(base).filter((name) => !options.keep?.includes(name));
  const value = options.value ?? hostileValue;
  const change = fc.oneof(
    { weight: 5, arbitrary: value.map((v) => ({ kind: 'set' as const, value: v })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'delete' as const, value: undefined }) },
  );
  return fc
    .record({
      changes: fc.dictionary(fc.constantFrom(...names), change, { minKeys: 0, maxKeys: 3 }),
      extra: fc.option(fc.tuple(unknownFieldName, smallHostileString), { freq: 6 }),
    })
    .map(({ changes, extra }) => {
      const result: Record<string, unknown> = { ...base };
      for (const [name, { kind, value: v }] of Object.entries(changes)) {
        if (kind === 'delete') delete result[name];
        else result[name] = v;
      }
      if (extra) Object.defineProperty(result, extra[0], { value: extra[1], enumerable: true });
      return result;
    });
}

/** Picks one of several generators (each weighted 1) — a readable `fc.oneof` for cases. */
export const anyOf = <T>(...arbitraries: fc.Arbitrary<T>[]): fc.Arbitrary<T> =>
  fc.oneof(...arbitraries);
