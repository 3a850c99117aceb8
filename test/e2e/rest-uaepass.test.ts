import { ConsentTransaction } from '../../src/persistence/entities';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { graphql } from '../support/clients';
import { boundDevice } from '../support/flows';
import { DECIDE_CONSENT } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';
import {
  basicAuthorization,
  idTokenClaims,
  requestToken,
  SEND_PATH,
  type SignedCallOptions,
  spNotFoundBody,
  STATUS_PATH,
  successBody,
  transactionNotFoundBody,
  UaePassClient,
  UNAUTHORIZED_BODY,
} from '../support/uaepass';

let server: TestServer;
let tenant: TenantCredentials;
let client: UaePassClient;
let other: UaePassClient;
let customer: Awaited<ReturnType<typeof boundDevice>>;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
  client = await UaePassClient.connect(server.url, tenant, server.clock.now);
  other = await UaePassClient.connect(server.url, await server.newTenant(), server.clock.now);
  customer = await boundDevice(server.url, tenant);
});
afterAll(() => server.close());

const consentsOf = (spId: string) => server.app.orm.em.fork().count(ConsentTransaction, { spId });
type CallOptions = Omit<SignedCallOptions, 'body'>;
const sendConsent = (tx: string, extra: Record<string, unknown> = {}, options: CallOptions = {}) =>
  client.send(
    {
      spTransactionID: tx,
      identifier: customer.attempt.merchantCustomerId,
      purpose: 'Share Emirates ID',
      ...extra,
    },
    options,
  );

describe('POST /oauth2/token', () => {
  it.each([
    ['a form body', 'application/x-www-form-urlencoded', 'grant_type=client_credentials'],
    ['a JSON body', 'application/json', '{"grant_type":"client_credentials"}'],
  ])(
    'a grant in %s answers a Bearer token, a signed id_token and 3600 s',
    async (_c, type, body) => {
      const authorization = basicAuthorization(tenant.spId, tenant.clientSecret);
      const token = await requestToken(server.url, { authorization, contentType: type, body });
      expect(token.status).toBe(200);
      expect(token.body).toEqual({
        access_token: expect.any(String),
        id_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        token_type: 'Bearer',
        expires_in: 3600,
      });
      expect(token.headers.get('cache-control')).toBe('no-store');
      const claims = idTokenClaims(token.body.id_token);
      expect(claims).toMatchObject({ sub: tenant.spId, aud: tenant.spId, iss: 'bindery' });
      expect(claims.exp - claims.iat).toBe(3600);
    },
  );

  it.each<[string, () => string | undefined]>([
    ['a wrong client secret', () => basicAuthorization(tenant.spId, 'not-the-secret')],
    ['an unknown spId', () => basicAuthorization('sp_unknown', tenant.clientSecret)],
    ['no Authorization header', () => undefined],
    ['a Bearer header instead of Basic', () => 'Bearer abc'],
  ])('%s gets 401 invalid_client', async (_case, authorization) => {
    const token = await requestToken(server.url, { authorization: authorization() });
    expect(token.status).toBe(401);
    expect(token.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    expect(token.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it.each([
    ['another grant type', 'grant_type=password', 400, 'unsupported_grant_type'],
    ['no grant type', 'scope=consent', 400, 'invalid_request'],
    ['grant_type sent twice', 'grant_type=client_credentials&grant_type=x', 400, 'invalid_request'],
  ])('%s gets the OAuth error', async (_case, body, status, error) => {
    const authorization = basicAuthorization(tenant.spId, tenant.clientSecret);
    const token = await requestToken(server.url, { authorization, body });
    expect({ status: token.status, error: token.body.error }).toEqual({ status, error });
  });
});

describe('the seed 002 status call', () => {
  it('works as the seed writes it: token, send, status TRIGGERED, decision, status ACCEPTED', async () => {
    const seedTenant = await server.app.tenants.createTenant({
      merchantId: 'SEED',
      merchantChannelId: 'SEED002',
      spId: 'abcde_client_id',
    });
    const seedClient = await UaePassClient.connect(server.url, seedTenant, server.clock.now);
    const { attempt, binding } = await boundDevice(server.url, seedTenant);
    const sent = await seedClient.send({
      spTransactionID: 'XXX-12515',
      identifier: attempt.merchantCustomerId,
      purpose: 'Share Emirates ID',
    });
    expect(sent).toMatchObject({ status: 200, body: successBody('XXX-12515', 'TRIGGERED') });

    // --data-raw exactly as in the seed's curl, newlines and indentation included; the client
    // sends the curl's headers, Apidog User-Agent and `Authorization: JWS <id_token>` among them.
    const seedBody = '{\n    "spTransactionID": "XXX-12515",\n    "spId": "abcde_client_id"\n}';
    const poll = () => seedClient.post(STATUS_PATH, { body: seedBody });
    const triggered = await poll();
    expect(triggered.status).toBe(200);
    expect(triggered.body).toEqual(successBody('XXX-12515', 'TRIGGERED'));
    expect(triggered.body.data.uaePassTransactionID).toBe(sent.body.data.uaePassTransactionID);

    const decided = await graphql(
      server.url,
      DECIDE_CONSENT,
      {
        input: {
          spId: 'abcde_client_id',
          spTransactionID: 'XXX-12515',
          decision: 'ACCEPT',
          deviceFingerprint: binding.fingerprint,
        },
      },
      seedTenant,
    );
    expect(decided.data?.decideConsent.errors).toEqual([]);
    expect(await poll()).toMatchObject({
      status: 200,
      body: successBody('XXX-12515', 'ACCEPTED'),
    });
  });

  it('a customer without an active binding gets an INIT_FAILED transaction', async () => {
    const sent = await sendConsent('tx-unbound', { identifier: 'nobody-bound-here' });
    expect(sent).toMatchObject({ status: 200, body: successBody('tx-unbound', 'INIT_FAILED') });
    expect((await client.status('tx-unbound')).body.data.status).toBe('INIT_FAILED');
  });
});

describe("the seed's error table", () => {
  beforeAll(async () => {
    expect((await sendConsent('tx-table')).status).toBe(200);
  });

  it.each([
    ['X-UAEPASS-Signature', { 'X-UAEPASS-Signature': null }],
    ['X-Timestamp', { 'X-Timestamp': null }],
    ['both signature headers', { 'X-UAEPASS-Signature': null, 'X-Timestamp': null }],
  ])('missing %s gets 401 UNAUTHORIZED', async (_case, headers) => {
    const answer = await client.status('tx-table', { headers });
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 401,
      body: UNAUTHORIZED_BODY,
    });
  });

  it('an unknown spId gets 404 CONS_1000012 naming it', async () => {
    const body = { spTransactionID: 'tx-table', spId: 'owner_sp_client_ids' };
    const answer = await client.post(STATUS_PATH, { body });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(spNotFoundBody('owner_sp_client_ids'));
  });

  it('an unknown spTransactionID gets 404 CONS_1000010 naming it', async () => {
    const missing = 'thh95681-d24b-4b14-a5de-837b7e60c287-19';
    const answer = await client.status(missing);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(transactionNotFoundBody(missing));
  });
});

describe('tenant isolation', () => {
  it("another tenant's transaction and spId answer exactly as ones that do not exist", async () => {
    expect((await sendConsent('tx-mine')).status).toBe(200);

    const theirs = await other.status('tx-mine');
    expect({ status: theirs.status, body: theirs.body }).toEqual({
      status: 404,
      body: transactionNotFoundBody('tx-mine'),
    });
    const mySpId = { spTransactionID: 'tx-mine', spId: tenant.spId };
    const viaMySpId = await other.post(STATUS_PATH, { body: mySpId });
    expect(viaMySpId.body).toEqual(spNotFoundBody(tenant.spId));

    const before = await consentsOf(tenant.spId);
    const intoMine = await other.post(SEND_PATH, {
      body: { ...mySpId, spTransactionID: 'tx-theirs', identifier: 'c1', purpose: 'p' },
    });
    expect(intoMine.body).toEqual(spNotFoundBody(tenant.spId));
    expect(await consentsOf(tenant.spId)).toBe(before);
  });
});

describe('refused credentials get 401 UNAUTHORIZED and create nothing', () => {
  const now = () => client.nowSeconds();
  let refused = 0;
  it.each<[string, () => CallOptions]>([
    ['no access token', () => ({ headers: { 'X-UP-AccessToken': null } })],
    ['an unknown access token', () => ({ headers: { 'X-UP-AccessToken': 'made-up-token' } })],
    ['a signature with another secret', () => ({ signingSecret: 'another-secret' })],
    ['a signature over another body', () => ({ signedBody: '{"spTransactionID":"x"}' })],
    ['a timestamp 301 s old', () => ({ timestamp: now() - 301 })],
    ['a timestamp 301 s ahead', () => ({ timestamp: now() + 301 })],
    ['a timestamp in milliseconds', () => ({ timestamp: Date.now() })],
    ['a tampered id_token', () => ({ headers: { Authorization: `JWS ${client.idToken}x` } })],
    ["another tenant's id_token", () => ({ headers: { Authorization: `JWS ${other.idToken}` } })],
    [
      'a Bearer Authorization',
      () => ({ headers: { Authorization: `Bearer ${client.accessToken}` } }),
    ],
  ])('%s', async (_case, options) => {
    const before = await consentsOf(tenant.spId);
    const answer = await sendConsent(`tx-refused-${++refused}`, {}, options());
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 401,
      body: UNAUTHORIZED_BODY,
    });
    expect(await consentsOf(tenant.spId)).toBe(before);
  });

  it('the id_token is optional, and a replayed signed request is refused', async () => {
    const options = { timestamp: now(), headers: { Authorization: null } };
    expect((await sendConsent('tx-replay')).status).toBe(200);
    const first = await client.status('tx-replay', options);
    expect(first.status).toBe(200);
    const replay = await client.status('tx-replay', options);
    expect({ status: replay.status, body: replay.body }).toEqual({
      status: 401,
      body: UNAUTHORIZED_BODY,
    });
  });
});

describe('bad bodies get 4xx in the UAE PASS shape and create nothing', () => {
  const uaePassShape = {
    code: expect.any(String),
    desc: { ar: expect.any(String), en: expect.any(String) },
  };
  const valid = { spTransactionID: 'tx-bad', identifier: 'cust-1', purpose: 'p' };
  const bad = (patch: Record<string, unknown>) => ({ spId: tenant.spId, ...valid, ...patch });

  it.each<[string, () => string | Record<string, unknown>, number, RegExp]>([
    ['malformed JSON', () => '{"spTransactionID": "x",', 400, /not valid JSON/],
    ['a JSON array', () => '[1,2]', 400, /JSON object/],
    ['a missing purpose', () => bad({ purpose: undefined }), 400, /\[purpose\]/],
    ['a missing spId', () => valid, 400, /\[spId\]/],
    ['an identifier with a space', () => bad({ identifier: 'a b' }), 400, /\[identifier\]/],
    ['a numeric spTransactionID', () => bad({ spTransactionID: 7 }), 400, /\[spTransactionID\]/],
    ['a body over 64 KiB', () => bad({ purpose: 'p'.repeat(70_000) }), 413, /64 KiB/],
  ])('%s', async (_case, body, status, en) => {
    const before = await consentsOf(tenant.spId);
    const answer = await client.post(SEND_PATH, { body: body() });
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(uaePassShape);
    expect(answer.body.desc.en).toMatch(en);
    expect(await consentsOf(tenant.spId)).toBe(before);
  });

  it('an XML body gets 415', async () => {
    const headers = { 'Content-Type': 'application/xml' };
    const answer = await client.post(SEND_PATH, { body: '<consent/>', headers });
    expect(answer.status).toBe(415);
    expect(answer.body).toEqual(uaePassShape);
  });

  it('a second send of one spTransactionID gets 409 and keeps the first', async () => {
    expect((await sendConsent('tx-twice')).status).toBe(200);
    const again = await sendConsent('tx-twice', { purpose: 'something else' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ code: '409', desc: uaePassShape.desc });
    expect(again.body.desc.en).toContain('[tx-twice]');
  });
});

describe('token lifetime', () => {
  it('an access token stops working after 3600 s', async () => {
    expect((await client.status('tx-table')).status).toBe(200);
    server.clock.advance(3601 * 1000);
    const expired = await client.status('tx-table', { headers: { Authorization: null } });
    expect(expired).toMatchObject({ status: 401, body: UNAUTHORIZED_BODY });
    const fresh = await UaePassClient.connect(server.url, tenant, server.clock.now);
    expect((await fresh.status('tx-table')).status).toBe(200);
  });
});
