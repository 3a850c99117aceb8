import fc from 'fast-check';
import { BASES } from './rest-bases';
import { customerReferenceArb } from './rest-keys';
import { type Auth, type RestCase, type Route } from './rest-routes';
import { hostileString } from './strings';
import { mutatedObject, wrongTypeValue } from './values';

/**
 * Whole requests per route. Bodies: a mutated well-formed body mostly, else malformed JSON,
 * another JSON value, nothing, or more than the 64 KiB the legacy routes take.
 */

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}}',
  '{"a":1',
  'NaN',
  'undefined',
  '\uFEFF{"a":1}',
  '{"a":"\\x00"}',
  '{"a":"\\ud800"',
  '{"a":01}',
  '{"a":1e99999}',
  '[',
  '<?xml version="1.0"?><a/>',
  'a=1&b=2',
  '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
  '\u0000',
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
];

function bodyArb(base: fc.Arbitrary<Record<string, unknown>>) {
  return fc.oneof(
    {
      weight: 14,
      arbitrary: base
        .chain((b) => mutatedObject(b))
        .map((value) => ({ value: value as unknown, raw: JSON.stringify(value) })),
    },
    {
      weight: 6,
      arbitrary: base.map((value) => ({ value: value as unknown, raw: JSON.stringify(value) })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...MALFORMED_JSON).map((raw) => ({ value: undefined, raw })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(wrongTypeValue, hostileString)
        .map((value) => ({ value, raw: JSON.stringify(value) ?? 'null' })),
    },
    { weight: 1, arbitrary: fc.constant({ value: undefined as unknown, raw: '' }) },
    {
      weight: 1,
      arbitrary: base.map((b) => {
        const value = { ...b, padding: 'x'.repeat(64 * 1024 + 1) };
        return { value: value as unknown, raw: JSON.stringify(value) };
      }),
    },
  );
}

const jsonContentType = fc.oneof(
  { weight: 14, arbitrary: fc.constant<string | null>('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<string | null>(
      'text/plain',
      'application/json; charset=utf-8',
      'Application/JSON',
      null,
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/html',
      'application/octet-stream',
      'application/json; charset=latin1',
      '*/*',
      'application/vnd.api+json',
    ),
  },
);

const authArb = (kinds: Auth[]) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant<Auth>('valid') },
    { weight: 3, arbitrary: fc.constantFrom<Auth>(...kinds) },
  );

/** The token endpoint takes a form: its bodies are form text, not JSON. */
const tokenBodyArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant('grant_type=client_credentials') },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'grant_type=password&username=a&password=b',
      'grant_type=',
      '',
      'grant_type=client_credentials&grant_type=client_credentials',
      'grant_type=client_credentials&scope=%00',
      'grant_type=%E0%A4%A',
      '{"grant_type":"client_credentials"}',
      `grant_type=${'x'.repeat(70_000)}`,
      '&&&===',
    ),
  },
  {
    weight: 4,
    arbitrary: hostileString.map((h) => new URLSearchParams({ grant_type: h }).toString()),
  },
  { weight: 2, arbitrary: hostileString },
);

export function routeCase(route: Route): fc.Arbitrary<RestCase> {
  const signed =
    route === 'juspayGetSmsToken' ||
    route === 'juspayBindDevice' ||
    route === 'uaePassSend' ||
    route === 'uaePassStatus' ||
    route === 'vmnInboundSms';
  const authKinds: Auth[] = signed
    ? [
        'missing',
        'mixed',
        'bad-signature',
        'signed-other-body',
        'stale',
        'future',
        'not-a-timestamp',
      ]
    : ['missing', 'wrong', 'mixed', 'malformed'];
  const body =
    route === 'uaePassToken'
      ? tokenBodyArb.map((raw) => ({ value: undefined as unknown, raw }))
      : bodyArb(BASES[route]);
  const contentType =
    route === 'uaePassToken'
      ? fc.oneof(
          { weight: 8, arbitrary: fc.constant<string | null>('application/x-www-form-urlencoded') },
          { weight: 3, arbitrary: jsonContentType },
        )
      : jsonContentType;
  return fc
    .record({
      route: fc.constant(route),
      raw: fc.constant(''),
      value: fc.constant(undefined as unknown),
      body,
      contentType,
      auth: authArb(authKinds),
      customerReference:
        route === 'razorpayVerification' || route === 'razorpayBind'
          ? customerReferenceArb
          : fc.constant(null),
      replay: signed
        ? fc.oneof(
            { weight: 6, arbitrary: fc.constant(false) },
            { weight: 1, arbitrary: fc.constant(true) },
          )
        : fc.constant(false),
    })
    .map(({ body: { raw, value }, ...rest }) => ({ ...rest, raw, value }));
}
