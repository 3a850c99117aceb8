import { createHash, randomUUID } from 'node:crypto';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms } from '../support/clients';
import { CUSTOMER_MOBILE } from '../support/flows';
import {
  JUSPAY,
  type JuspayAttempt,
  juspayBindBody as bindBody,
  juspayGetSmsToken,
  juspayHeaders,
  juspaySend,
  juspaySigned,
  oversizedBody,
  postLegacy,
  registrationOf,
  SECOND_SENDER,
  writes,
} from '../support/legacy';
import { startTestServer, type TestServer, VMN_NUMBER } from '../support/server';
import { waitFor } from '../support/wait';

const { getSmsToken: GET_SMS_TOKEN, bindDevice: BIND_DEVICE } = JUSPAY;
const UDF = '{"udf1":"value1","udf2":"value2"}';

let server: TestServer;
let tenant: TenantCredentials;
let intruder: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
  intruder = await server.newTenant('INTRUDER');
});
afterAll(() => server.close());

const signed = (rawBody: string, caller = tenant, options: { secret?: string } = {}) =>
  juspaySigned(server, caller, rawBody, options);
const send = (path: string, body: Record<string, unknown>, caller = tenant) =>
  juspaySend(server, caller, path, body);
const getSmsToken = () => juspayGetSmsToken(server, tenant);

describe('Juspay customer APIs (seed 004)', () => {
  it('binds a device through Juspay alone; the same request again answers the same', async () => {
    const merchantCustomerId = `cust.${randomUUID()}`;
    const deviceId = `dev-${randomUUID()}`;
    const token = await send(GET_SMS_TOKEN, {
      merchantCustomerId,
      deviceId,
      os: 'android',
      provider: 'JIO',
      udfParameters: UDF,
    });
    expect(token).toEqual({
      status: 200,
      body: {
        status: 'SUCCESS',
        responseCode: 'SUCCESS',
        responseMessage: 'SUCCESS',
        payload: {
          serviceProviders: [
            { name: 'JIO', number: VMN_NUMBER, smsContent: expect.stringMatching(/^UPIACT /) },
          ],
          expiryTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/),
        },
        udfParameters: UDF,
      },
    });
    const expiresIn = Date.parse(token.body.payload.expiryTimestamp) - Date.now();
    expect(expiresIn).toBeGreaterThan(590_000);
    expect(expiresIn).toBeLessThanOrEqual(600_000);

    const attempt = {
      merchantCustomerId,
      deviceId,
      smsContent: token.body.payload.serviceProviders[0].smsContent,
    };
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    const body = bindBody(attempt);
    const bound = await send(BIND_DEVICE, body);
    const fingerprint = createHash('sha256')
      .update(`${deviceId}|${body.ssid}|${tenant.merchantId}|${merchantCustomerId}`)
      .digest('hex');
    expect(bound).toEqual({
      status: 200,
      body: {
        status: 'SUCCESS',
        responseCode: 'SUCCESS',
        responseMessage: 'SUCCESS',
        payload: {
          merchantId: tenant.merchantId,
          merchantChannelId: tenant.merchantChannelId,
          merchantCustomerId,
          customerMobileNumber: CUSTOMER_MOBILE,
          deviceFingerPrint: fingerprint,
        },
        udfParameters: UDF,
      },
    });

    const before = await writes(server);
    expect(await send(BIND_DEVICE, body)).toEqual(bound);
    expect(await writes(server)).toEqual(before);
  });

  it.each([
    ['before the SMS reached the VMN', 'SMS_VERIFICATION_PENDING', [], CUSTOMER_MOBILE],
    [
      'when the SMS came from another number',
      'SMS_VERIFICATION_MISMATCH',
      [CUSTOMER_MOBILE],
      SECOND_SENDER,
    ],
    [
      'when a second number sent the token',
      'REGISTRATION_DECLINED',
      [CUSTOMER_MOBILE, SECOND_SENDER],
      CUSTOMER_MOBILE,
    ],
  ])('bindDevice %s answers FAILURE %s and binds nothing', async (_case, code, senders, mobile) => {
    const attempt = await getSmsToken();
    for (const from of senders) await deliverSms(server.url, { from, content: attempt.smsContent });
    const before = await writes(server);
    const response = await send(BIND_DEVICE, bindBody(attempt, mobile));
    expect(response).toEqual({
      status: 200,
      body: {
        status: 'FAILURE',
        responseCode: code,
        responseMessage: expect.any(String),
        payload: {
          merchantId: tenant.merchantId,
          merchantChannelId: tenant.merchantChannelId,
          merchantCustomerId: attempt.merchantCustomerId,
          ...(senders.length > 0 ? { customerMobileNumber: senders[0] } : {}),
        },
        udfParameters: UDF,
      },
    });
    expect(await writes(server)).toEqual(before);
  });

  it.each([[GET_SMS_TOKEN], [BIND_DEVICE]])(
    '%s refuses udfParameters with a forbidden character with a 400 naming them',
    async (path) => {
      const attempt = await getSmsToken();
      const before = await writes(server);
      const response = await send(path, {
        ...bindBody(attempt),
        udfParameters: '{"udf1":"a/b"}',
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        status: 'FAILURE',
        responseCode: 'INVALID_DATA',
        responseMessage: expect.stringContaining('udfParameters must not contain'),
        udfParameters: '{"udf1":"a/b"}',
      });
      expect(await writes(server)).toEqual(before);
    },
  );
});

describe('refused Juspay requests get the FAILURE envelope with a 4xx and change nothing', () => {
  let attempt: JuspayAttempt;
  beforeAll(async () => {
    attempt = await getSmsToken();
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
  });

  const tokenBody = () => ({
    merchantCustomerId: 'cust.refused',
    deviceId: 'dev-r',
    os: 'android',
  });
  const routes: [string, () => Record<string, unknown>, string][] = [
    [GET_SMS_TOKEN, tokenBody, 'deviceId'],
    [BIND_DEVICE, () => bindBody(attempt), 'version'],
  ];

  const same = (valid: string) => valid;
  const signedBy = (caller: TenantCredentials, secret?: string) => (raw: string) =>
    signed(raw, caller, secret ? { secret } : {});
  const staleBy301s = (raw: string) =>
    juspayHeaders(tenant, raw, { timestampMs: server.clock.now().getTime() - 301_000 });
  const unknownMerchant = () => ({ ...tenant, merchantChannelId: 'NOPE' });
  const theirIdsMySecret = () => ({ ...intruder, signingSecret: tenant.signingSecret });
  type Headers = (raw: string) => Record<string, string>;
  // Each case: how its body is made from a valid one, and the headers that carry it.
  const cases: [string, number, string, (valid: string) => string, () => Headers][] = [
    ['no signature headers', 401, 'UNAUTHORIZED', same, () => () => ({})],
    ['a wrong signature', 401, 'UNAUTHORIZED', same, () => signedBy(tenant, 'not-the-secret')],
    ['a timestamp 301 s old', 401, 'UNAUTHORIZED', same, () => staleBy301s],
    ['an unknown merchant', 401, 'UNAUTHORIZED', same, () => signedBy(unknownMerchant())],
    [
      "another tenant's ids, this one's secret",
      401,
      'UNAUTHORIZED',
      same,
      () => signedBy(theirIdsMySecret()),
    ],
    ['malformed JSON', 400, 'BAD_REQUEST', () => '{"merchantCustomerId": ', () => signedBy(tenant)],
    [
      'a body over 64 KiB',
      413,
      'BAD_REQUEST',
      (v) => oversizedBody(JSON.parse(v)),
      () => signedBy(tenant),
    ],
  ];

  describe.each(routes)('%s', (path, body, requiredField) => {
    it.each(cases)('%s gets %i %s', async (_case, status, code, bodyOf, headersOf) => {
      const before = await writes(server);
      const raw = bodyOf(JSON.stringify(body()));
      const headers = { 'Content-Type': 'application/json', ...headersOf()(raw) };
      const response = await postLegacy(server.url, path, headers, raw);
      expect(response).toEqual({
        status,
        body: {
          status: 'FAILURE',
          responseCode: code,
          responseMessage: expect.any(String),
          udfParameters: expect.any(String),
        },
      });
      expect(await writes(server)).toEqual(before);
      expect((await registrationOf(server, attempt.smsContent)).status).toBe('SMS_VERIFIED');
    });

    it('a replayed signed request gets 401 the second time and changes nothing more', async () => {
      const raw = JSON.stringify({ ...body(), merchantCustomerId: `cust.${randomUUID()}` });
      const headers = signed(raw);
      await postLegacy(server.url, path, headers, raw);
      const before = await writes(server);
      const replay = await postLegacy(server.url, path, headers, raw);
      expect(replay.status).toBe(401);
      expect(replay.body.responseMessage).toBe('This signed request was already received');
      expect(await writes(server)).toEqual(before);
    });

    it(`a missing ${requiredField} gets 400 INVALID_DATA naming it`, async () => {
      const before = await writes(server);
      const { [requiredField]: _omitted, ...rest } = body();
      const response = await send(path, rest);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        status: 'FAILURE',
        responseCode: 'INVALID_DATA',
        responseMessage: `${requiredField} is required`,
      });
      expect(await writes(server)).toEqual(before);
    });
  });

  it("bindDevice with another tenant's token answers 404 as for an unknown token", async () => {
    const before = await writes(server);
    const theirs = await send(BIND_DEVICE, bindBody(attempt), intruder);
    const unknown = await send(
      BIND_DEVICE,
      bindBody({ ...attempt, smsContent: 'UPIACT unknown' }),
      intruder,
    );
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(unknown.body);
    expect(theirs.body.responseCode).toBe('REQUEST_NOT_FOUND');
    expect(await writes(server)).toEqual(before);
    expect((await registrationOf(server, attempt.smsContent)).status).toBe('SMS_VERIFIED');
  });
});

// Last: moving the server clock makes later signed SMS deliveries (real time) look stale.
describe('Juspay bindDevice after expiry', () => {
  it('answers FAILURE SMS_VERIFICATION_EXPIRED once the token expired', async () => {
    const attempt = await getSmsToken();
    server.clock.advance(601_000);
    await waitFor(
      () => registrationOf(server, attempt.smsContent),
      (r) => r.status === 'EXPIRED',
    );
    const response = await send(BIND_DEVICE, bindBody(attempt));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'FAILURE',
      responseCode: 'SMS_VERIFICATION_EXPIRED',
    });
  });
});
