import fc from 'fast-check';

/** Hostile text: what attackers and broken clients put where a string belongs. */

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
