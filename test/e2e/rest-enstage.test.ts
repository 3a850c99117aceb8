import { RegistrationStatus } from '../../src/domain/registration-status';
import { DeviceBinding, Registration } from '../../src/persistence/entities';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from '../support/clients';
import { bindInput, boundDevice, CUSTOMER_MOBILE, issueToken } from '../support/flows';
import {
  adoptSampleToken,
  enstageHeaders,
  oversizedBody,
  postLegacy,
  registrationOf,
  SAMPLE_TOKEN,
  SECOND_SENDER,
  writes,
} from '../support/legacy';
import { BIND_DEVICE } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';
import { waitFor } from '../support/wait';

const POLLING = '/upi-integration/upi/registration/v1/polling';
const DECLINE = '/upi-integration/upi/registration/v1/decline/deviceBinding';

let server: TestServer;
let tenant: TenantCredentials;
let intruder: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
  intruder = await server.newTenant('INTRUDER');
});
afterAll(() => server.close());

const poll = (body: Record<string, unknown>, caller: TenantCredentials = tenant) =>
  postLegacy(server.url, POLLING, enstageHeaders(caller), JSON.stringify(body));
const decline = (body: Record<string, unknown>, caller: TenantCredentials = tenant) =>
  postLegacy(server.url, DECLINE, enstageHeaders(caller), JSON.stringify(body));
const pollDevice = (attempt: { ssid: string; deviceId: string }) =>
  poll({ ssid: attempt.ssid, deviceId: attempt.deviceId });

describe('Enstage polling (seed 000)', () => {
  it('the seed sample, sent as written, answers 501 for an attempt declined as fraud', async () => {
    const attempt = await issueToken(server.url, tenant);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    await deliverSms(server.url, { from: SECOND_SENDER, content: attempt.smsContent });
    // The sample asks for refNumber 8900112233; Bindery numbers at random, so this one takes it.
    await server.app.orm.em
      .fork()
      .nativeUpdate(Registration, { id: attempt.registrationId }, { refNumber: '8900112233' });

    const response = await postLegacy(
      server.url,
      POLLING,
      { 'X-API-TOKEN': tenant.apiToken, 'X-API-KEY': tenant.apiKey, 'Content-Type': 'text/plain' },
      '{\n    "refNumber":"8900112233"\n}',
    );

    expect(response).toEqual({
      status: 200,
      body: {
        status: 'SUCCESS',
        resCode: '501',
        resDesc: 'Device binding process declined due to fraud',
      },
    });
  });

  it('follows an attempt by ssid and deviceId from pending through verified to bound', async () => {
    const attempt = await issueToken(server.url, tenant);
    expect((await pollDevice(attempt)).body).toEqual({
      status: 'SUCCESS',
      resCode: '100',
      resDesc: 'SMS token issued, waiting for the SMS from the customer',
    });
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    expect((await pollDevice(attempt)).body.resCode).toBe('101');
    await graphql(server.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant);
    expect(await pollDevice(attempt)).toEqual({
      status: 200,
      body: { status: 'SUCCESS', resCode: '200', resDesc: 'Device binding successful' },
    });
  });

  it('answers 503 when the SMS came from a number other than the expected one', async () => {
    const attempt = await issueToken(server.url, tenant, { expectedMobileNumber: CUSTOMER_MOBILE });
    await deliverSms(server.url, { from: SECOND_SENDER, content: attempt.smsContent });
    expect((await pollDevice(attempt)).body.resCode).toBe('503');
  });

  it('answers another tenant the same 404 as an unknown registration', async () => {
    const attempt = await issueToken(server.url, tenant);
    const { refNumber } = await registrationOf(server, attempt.smsContent);
    const byRef = await poll({ refNumber }, intruder);
    const byDevice = await poll({ ssid: attempt.ssid, deviceId: attempt.deviceId }, intruder);
    const unknown = await poll({ refNumber: '1' }, intruder);
    expect(byRef).toEqual({
      status: 404,
      body: { status: 'FAILURE', resCode: '404', resDesc: 'No registration matches the request' },
    });
    expect(byDevice).toEqual(unknown);
    expect(byRef).toEqual(unknown);
  });
});

describe('Enstage decline (seed 001)', () => {
  it('the seed sample, sent as written, declines with JP19 and the seed body', async () => {
    const attempt = await issueToken(server.url, tenant, {
      merchantCustomerId: 'test-merchantcustomer-1',
    });
    await adoptSampleToken(server, attempt.smsContent, SAMPLE_TOKEN);

    const response = await postLegacy(
      server.url,
      DECLINE,
      { 'X-API-TOKEN': tenant.apiToken, 'X-API-KEY': tenant.apiKey, 'Content-Type': 'text/plain' },
      '{\n    "udfParameters" : "",\n    "smsContent" : "UPIACT ad56ef90396348bac56099"\n}',
    );

    expect(response).toEqual({
      status: 200,
      body: {
        status: 'SUCCESS',
        responseCode: 'SUCCESS',
        responseMessage: 'SUCCESS',
        payload: {
          merchantId: 'TEST',
          merchantChannelId: tenant.merchantChannelId,
          merchantCustomerId: 'test-merchantcustomer-1',
          gatewayResponseCode: 'JP19',
          gatewayResponseMessage: 'Device binding declined',
        },
        udfParameters: '{}',
      },
    });
    expect((await registrationOf(server, SAMPLE_TOKEN)).status).toBe(RegistrationStatus.DECLINED);
    expect((await pollDevice(attempt)).body).toEqual({
      status: 'SUCCESS',
      resCode: '500',
      resDesc: 'Device binding declined by the customer',
    });
  });

  it("the seed's curl, sent again, answers JP19 again and writes nothing", async () => {
    const before = await writes(server);
    const again = await postLegacy(
      server.url,
      DECLINE,
      enstageHeaders(tenant),
      '{\n    "udfParameters" : "{}",\n    "smsContent" : "UPIACT ad56ef90396348bac56099"\n}',
    );
    expect(again.status).toBe(200);
    expect(again.body.payload.gatewayResponseCode).toBe('JP19');
    expect(await writes(server)).toEqual(before);
  });

  it('a token that already bound a device answers JPAB and stays bound', async () => {
    const { attempt, binding } = await boundDevice(server.url, tenant);
    const before = await writes(server);

    const response = await decline({
      udfParameters: '{"udf1":"v"}',
      smsContent: attempt.smsContent,
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'SUCCESS',
      responseCode: 'SUCCESS',
      responseMessage: 'SUCCESS',
      payload: {
        merchantId: tenant.merchantId,
        merchantChannelId: tenant.merchantChannelId,
        merchantCustomerId: attempt.merchantCustomerId,
        gatewayResponseCode: 'JPAB',
        gatewayResponseMessage: 'Device already binded',
      },
      udfParameters: '{"udf1":"v"}',
    });
    expect(await writes(server)).toEqual(before);
    expect((await registrationOf(server, attempt.smsContent)).status).toBe('BOUND');
    const stored = await server.app.orm.em.fork().findOneOrFail(DeviceBinding, binding.id);
    expect(stored.status).toBe('ACTIVE');
  });

  it('udfParameters with a forbidden character get a 400 naming them', async () => {
    const attempt = await issueToken(server.url, tenant);
    const response = await decline({
      udfParameters: '{"a":"b#c"}',
      smsContent: attempt.smsContent,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      status: 'FAILURE',
      responseCode: 'INVALID_DATA',
      responseMessage: expect.stringContaining('udfParameters'),
    });
    expect((await registrationOf(server, attempt.smsContent)).status).toBe('PENDING_SMS');
  });
});

describe('refused Enstage requests get the family shape with a 4xx and change nothing', () => {
  let attempt: Awaited<ReturnType<typeof issueToken>>;
  beforeAll(async () => {
    attempt = await issueToken(server.url, tenant);
  });

  interface Route {
    path: string;
    body: () => Record<string, unknown>;
    missingField: () => Record<string, unknown>;
    shape: (status: number) => Record<string, unknown>;
  }
  const routes: Record<string, Route> = {
    polling: {
      path: POLLING,
      body: () => ({ ssid: attempt.ssid, deviceId: attempt.deviceId }),
      missingField: () => ({ ssid: attempt.ssid }),
      shape: (status: number) => ({
        status: 'FAILURE',
        resCode: String(status),
        resDesc: expect.any(String),
      }),
    },
    decline: {
      path: DECLINE,
      body: () => ({ udfParameters: '', smsContent: attempt.smsContent }),
      missingField: () => ({ udfParameters: '' }),
      shape: () => ({
        status: 'FAILURE',
        responseCode: expect.any(String),
        responseMessage: expect.any(String),
        udfParameters: '{}',
      }),
    },
  };

  const cases: [string, () => Record<string, string>, (route: Route) => string, number][] = [
    [
      'no credentials',
      () => ({ 'Content-Type': 'text/plain' }),
      (r) => JSON.stringify(r.body()),
      401,
    ],
    [
      'a wrong token',
      () => enstageHeaders({ apiKey: tenant.apiKey, apiToken: 'not-the-token' }),
      (r) => JSON.stringify(r.body()),
      401,
    ],
    [
      'another tenant key with this token',
      () => enstageHeaders({ apiKey: intruder.apiKey, apiToken: tenant.apiToken }),
      (r) => JSON.stringify(r.body()),
      401,
    ],
    ['malformed JSON', () => enstageHeaders(tenant), () => '{"smsContent": ', 400],
    ['a missing field', () => enstageHeaders(tenant), (r) => JSON.stringify(r.missingField()), 400],
    ['a body over 64 KiB', () => enstageHeaders(tenant), (r) => oversizedBody(r.body()), 413],
    ["another tenant's ids", () => enstageHeaders(intruder), (r) => JSON.stringify(r.body()), 404],
  ];

  describe.each(Object.entries(routes))('%s', (_name, route) => {
    it.each(cases)('%s', async (_case, headers, body, status) => {
      const before = await writes(server);
      const response = await postLegacy(server.url, route.path, headers(), body(route));
      expect(response.status).toBe(status);
      expect(response.body).toEqual(route.shape(status));
      expect(await writes(server)).toEqual(before);
      expect((await registrationOf(server, attempt.smsContent)).status).toBe('PENDING_SMS');
    });
  });
});

// Last: moving the server clock makes later signed SMS deliveries (real time) look stale.
describe('Enstage polling after expiry', () => {
  it('answers 502 once the sweeper expires the token', async () => {
    const attempt = await issueToken(server.url, tenant);
    server.clock.advance(601_000);
    const answer = await waitFor(
      () => pollDevice(attempt),
      (r) => r.body.resCode === '502',
    );
    expect(answer.body).toEqual({
      status: 'SUCCESS',
      resCode: '502',
      resDesc: 'SMS token expired before device binding completed',
    });
  });
});
