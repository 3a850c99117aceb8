import fc from 'fast-check';
import { hashSmsToken } from '../../src/domain/sms-token';
import {
  CallbackDelivery,
  ConsentTransaction,
  Customer,
  DeviceBinding,
  ENTITIES,
  IdempotencyRecord,
  InboundSms,
  OutboxEvent,
  Registration,
  RegistrationEvent,
} from '../../src/persistence/entities';
import { type Orm } from '../../src/persistence/orm';
import { consentAggregateId } from '../../src/services/outbox';

/**
 * Generators of the malformed and hostile input the property suites (test/property) send, and
 * the bookkeeping they share: row counts of every table, the rows a legitimately accepted
 * request may add, and a compact record of every violated expectation.
 */

/** One seed for every property: a failure seen once is seen on every run. */
export const SEED = 42;

/** Requests each property sends at once. */
export const IN_FLIGHT = 8;

// ---------------------------------------------------------------------------------------------
// Strings

/** What attackers and broken clients put in fields: injection, templates, paths, markup, odd text. */
export const INJECTION_STRINGS: readonly string[] = [
  "' OR 1=1 --",
  "' OR '1'='1",
  '" OR ""="',
  "'; DROP TABLE registration; --",
  '1); SELECT pg_sleep(5); --',
  "x' UNION SELECT api_token_hash FROM tenant --",
  '{"$gt":""}',
  '{"$ne":null}',
  '{"$where":"sleep(1000)"}',
  '$gt',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${7*7}',
  '{{7*7}}',
  '#{7*7}',
  '%s%s%s%n',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  'javascript:alert(1)',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'null',
  'undefined',
  'NaN',
  'true',
  '[]',
  '{}',
  '0',
  '-1',
  '1e309',
  '\u0000',
  'a\u0000b',
  '\r\nSet-Cookie: x=1',
  '\u202Egnp.exe',
  '\u200F\u0627\u0644\u0639\u0631\u0628\u064A\u0629\u200F',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '\uFEFFbom',
  '\uD800',
  '\uDFFF',
  'a\uD800b',
  '\uDBFF\uDFFF',
  'Ａｄｍｉｎ',
  'İı',
  'ß',
  'e\u0301\u0301\u0301\u0301',
  'UPIACT ',
  `UPIACT ${'a'.repeat(32)}`,
  '919812345678',
  '+91 98123 45678',
  '0919812345678',
  '9'.repeat(16),
  ' ',
  '\t',
  '   \n  ',
  '',
];

/** Characters with a reputation: controls, bidi overrides, joiners, surrogate halves, BOM. */
const ODD_CHARACTERS = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '😀',
  '👩🏽‍💻',
  'ا',
  'ש',
  '中',
  'é',
  "'",
  '"',
  '\\',
  '%',
  '_',
  ';',
  '-',
  '/',
  ' ',
];

const oddText = fc
  .array(fc.oneof(fc.constantFrom(...ODD_CHARACTERS), fc.string({ unit: 'grapheme-ascii' })), {
    minLength: 1,
    maxLength: 12,
  })
  .map((parts) => parts.join(''));

/** 1 000 to 100 000 repetitions of one character (ASCII, accented, emoji, NUL, quote, bidi). */
export const hugeString: fc.Arbitrary<string> = fc
  .record({
    length: fc.integer({ min: 1_000, max: 100_000 }),
    unit: fc.constantFrom('x', '9', 'é', '😀', '\u0000', "'", '\u202e', ' ', 'ا', 'UPIACT '),
  })
  .map(({ length, unit }) => unit.repeat(Math.max(1, Math.floor(length / unit.length))));

/** Text around one control character or surrogate half (NUL above all: C strings end there). */
const controlInside = fc
  .tuple(
    fc.string({ unit: 'grapheme-ascii', maxLength: 8 }),
    fc.constantFrom('\u0000', '\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\ud800', '\udfff'),
    fc.string({ unit: 'grapheme-ascii', maxLength: 8 }),
  )
  .map((parts) => parts.join(''));

/** Short hostile text: no huge strings, for places where many values are combined. */
export const smallHostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTION_STRINGS) },
  { weight: 1, arbitrary: controlInside },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: oddText },
  { weight: 1, arbitrary: fc.uuid() },
);

/** Lengths at and just past the limits of fields and columns (20, 36, 64, 128, 160, 200, 256…). */
const EDGE_LENGTHS = [
  20, 21, 32, 33, 36, 37, 64, 65, 72, 73, 128, 129, 160, 161, 200, 201, 255, 256, 257, 500, 501,
  2_048, 2_049,
];

/** Plain text exactly at or one past a length limit: where validation and schema disagree. */
export const edgeLengthString: fc.Arbitrary<string> = fc
  .record({
    length: fc.constantFrom(...EDGE_LENGTHS),
    unit: fc.constantFrom('a', '9', 'é', '😀', '-'),
  })
  .map(({ length, unit }) => unit.repeat(Math.max(1, Math.floor(length / unit.length))));

/** A unique transaction id 64 to 128 characters long (128 is the longest one allowed). */
export const longTransactionId: fc.Arbitrary<string> = fc
  .tuple(fc.uuid(), fc.constantFrom(64, 71, 72, 100, 127, 128))
  .map(([uuid, length]) => `${uuid}${'x'.repeat(length)}`.slice(0, length));

/** Any hostile text, up to about 100 KB. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: smallHostileString },
  { weight: 2, arbitrary: edgeLengthString },
  { weight: 1, arbitrary: hugeString },
);

// ---------------------------------------------------------------------------------------------
// Values of the wrong type

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

// ---------------------------------------------------------------------------------------------
// Row accounting

export type RowCounts = Record<string, number>;

/** The row count of every table the ORM maps (ENTITIES), by entity name. */
export async function rowCounts(orm: Orm): Promise<RowCounts> {
  const em = orm.em.fork();
  const counts: RowCounts = {};
  for (const entity of ENTITIES) counts[entity.name] = await em.count(entity, {});
  return counts;
}

/** What accepted requests of a batch touched; rows they may add are counted from these keys. */
export class Effects {
  readonly registrationIds = new Set<string>();
  readonly smsContents = new Set<string>();
  readonly consentKeys: { spId: string; spTransactionID: string }[] = [];
  readonly merchantCustomerIds = new Set<string>();
  readonly idempotencyKeys = new Set<string>();
  readonly messageIds = new Set<string>();

  get empty(): boolean {
    return (
      this.registrationIds.size +
        this.smsContents.size +
        this.consentKeys.length +
        this.merchantCustomerIds.size +
        this.idempotencyKeys.size +
        this.messageIds.size ===
      0
    );
  }
}

/**
 * The rows created since `since` that accepted requests account for: their registrations (found
 * by id, SMS token or reported SMS), its history, bindings and outbox events; their consents with
 * outbox events and callbacks; customers they named; idempotency records; reported SMS.
 */
export async function attributableRows(
  orm: Orm,
  since: Date,
  effects: Effects,
): Promise<RowCounts> {
  const em = orm.em.fork();
  const after = { $gte: since };
  const registrationIds = new Set(effects.registrationIds);
  if (effects.smsContents.size > 0) {
    const hashes = [...effects.smsContents].map(hashSmsToken);
    for (const row of await em.find(Registration, { tokenHash: { $in: hashes } })) {
      registrationIds.add(row.id);
    }
  }
  const messageIds = [...effects.messageIds];
  if (messageIds.length > 0) {
    for (const row of await em.find(InboundSms, { messageId: { $in: messageIds } })) {
      if (row.registrationId) registrationIds.add(row.registrationId);
    }
  }
  const regIds = [...registrationIds];
  const bindings = regIds.length
    ? await em.find(DeviceBinding, { registrationId: { $in: regIds } })
    : [];
  const consents = effects.consentKeys.length
    ? await em.find(ConsentTransaction, {
        $or: effects.consentKeys.map((k) => ({ spId: k.spId, spTransactionId: k.spTransactionID })),
      })
    : [];
  const consentIds = consents.map((c) => c.id);
  const aggregates = [
    ...regIds,
    ...bindings.map((b) => b.id),
    ...consents.map((c) => consentAggregateId(c.spId, c.spTransactionId)),
  ];
  const customers = [...effects.merchantCustomerIds];
  const keys = [...effects.idempotencyKeys];
  const count = async (
    ready: boolean,
    entity: Parameters<typeof em.count>[0],
    where: object,
  ): Promise<number> => (ready ? em.count(entity, where as never) : 0);
  return {
    Tenant: 0,
    Customer: await count(customers.length > 0, Customer, {
      merchantCustomerId: { $in: customers },
      createdAt: after,
    }),
    Registration: await count(regIds.length > 0, Registration, {
      id: { $in: regIds },
      createdAt: after,
    }),
    RegistrationEvent: await count(regIds.length > 0, RegistrationEvent, {
      registrationId: { $in: regIds },
      at: after,
    }),
    InboundSms: await count(messageIds.length > 0, InboundSms, {
      messageId: { $in: messageIds },
      createdAt: after,
    }),
    DeviceBinding: await count(regIds.length > 0, DeviceBinding, {
      registrationId: { $in: regIds },
      boundAt: after,
    }),
    ConsentTransaction: await count(consentIds.length > 0, ConsentTransaction, {
      id: { $in: consentIds },
      createdAt: after,
    }),
    IdempotencyRecord: await count(keys.length > 0, IdempotencyRecord, {
      idempotencyKey: { $in: keys },
      createdAt: after,
    }),
    OutboxEvent: await count(aggregates.length > 0, OutboxEvent, {
      aggregateId: { $in: aggregates },
      createdAt: after,
    }),
    CallbackDelivery: await count(consentIds.length > 0, CallbackDelivery, {
      consentId: { $in: consentIds },
      createdAt: after,
    }),
  };
}

/** Tables whose row count moved by other than what accepted requests account for. */
export function unexplainedChanges(
  before: RowCounts,
  after: RowCounts,
  explained: RowCounts,
): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const name of Object.keys(after)) {
    const delta = after[name] - before[name];
    const expected = explained[name] ?? 0;
    if (delta !== expected) changes[name] = `${delta} rows added, ${expected} accounted for`;
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Reporting

/** JSON with long strings cut to their start and length, so a report line stays readable. */
export function preview(value: unknown, max = 400): string {
  let text: string;
  try {
    text =
      JSON.stringify(value, (_key, v: unknown) =>
        typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…[${v.length} chars]` : v,
      ) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…[${text.length} chars]` : text;
}

/**
 * Every violated expectation of a run, by kind, with the first example of each. A property
 * records instead of throwing, so one run reports every distinct failure and sends every input.
 */
export class Violations {
  private readonly byKind = new Map<string, { count: number; example: string }>();

  add(kind: string, example: string): void {
    const seen = this.byKind.get(kind);
    if (seen) seen.count++;
    else this.byKind.set(kind, { count: 1, example });
  }

  /** `{kind: "N× e.g. …"}`; `{}` when nothing was violated. */
  report(): Record<string, string> {
    return Object.fromEntries(
      [...this.byKind].map(([kind, { count, example }]) => [kind, `${count}× e.g. ${example}`]),
    );
  }
}

/** Counts the inputs a suite sends, per operation, so the suite can assert its volume. */
export class InputCounter {
  readonly perOperation: Record<string, number> = {};
  total = 0;

  add(operation: string, n = 1): void {
    this.perOperation[operation] = (this.perOperation[operation] ?? 0) + n;
    this.total += n;
  }
}

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

/** An answer with the probed keys replaced, to compare a foreign key's answer with a random one's. */
export const normalized = (text: string, keys: string[]) =>
  keys.reduce((t, key) => t.split(key).join('<KEY>'), text);
