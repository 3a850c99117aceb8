import { InboundSms, Registration } from '../../src/persistence/entities';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from '../support/clients';
import { CUSTOMER_MOBILE, issueToken } from '../support/flows';
import { REQUEST_SMS_TOKEN } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let tenant: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
});
afterAll(() => server.close());

const count = (entity: typeof Registration | typeof InboundSms) =>
  server.app.orm.em.fork().count(entity, {});
const validInput = {
  merchantCustomerId: 'cust-bad-input',
  deviceId: 'dev-bad-input',
  os: 'android',
};

describe('malformed GraphQL input is refused with the field named and writes nothing', () => {
  it.each([
    ['a number where a string belongs', { ...validInput, deviceId: 123 }, 'deviceId'],
    ['a missing required field', { merchantCustomerId: 'c', os: 'android' }, 'deviceId'],
    ['an unknown field', { ...validInput, imei: '1' }, 'imei'],
  ])('%s gets a 400 naming the field', async (_case, input, field) => {
    const before = await count(Registration);
    const response = await graphql(server.url, REQUEST_SMS_TOKEN, { input }, tenant);
    expect(response.status).toBe(400);
    expect(response.errors?.[0].message).toContain(field);
    expect(await count(Registration)).toBe(before);
  });

  it.each([
    ['an oversized deviceId', { ...validInput, deviceId: 'x'.repeat(10_000) }, 'deviceId'],
    ['a blank os', { ...validInput, os: '   ' }, 'os'],
    [
      'a merchantCustomerId with a slash',
      { ...validInput, merchantCustomerId: 'a/b' },
      'merchantCustomerId',
    ],
    ['a control character', { ...validInput, deviceId: 'dev\u0000ice' }, 'deviceId'],
    [
      'udfParameters with a forbidden character',
      { ...validInput, udfParameters: '{"a":"b#c"}' },
      'udfParameters',
    ],
    [
      'udfParameters that are not a JSON object',
      { ...validInput, udfParameters: '[1,2]' },
      'udfParameters',
    ],
    [
      'an expected mobile number that is not one',
      { ...validInput, expectedMobileNumber: '12ab' },
      'expectedMobileNumber',
    ],
  ])('%s gets INVALID_INPUT on that field', async (_case, input, field) => {
    const before = await count(Registration);
    const response = await graphql(server.url, REQUEST_SMS_TOKEN, { input }, tenant);
    expect(response.status).toBe(200);
    expect(response.data?.requestSmsToken.errors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', field] }),
    ]);
    expect(await count(Registration)).toBe(before);
  });
});

describe('malformed VMN webhook calls get a 4xx and write nothing', () => {
  const sendRaw = async (
    rawBody: string,
    options: { secret?: string; timestamp?: number } = {},
  ) => {
    const before = await count(InboundSms);
    const response = await deliverSms(
      server.url,
      { from: '', content: '' },
      { rawBody, ...options },
    );
    expect(await count(InboundSms)).toBe(before);
    return response;
  };
  const body = (fields: Record<string, unknown>) =>
    JSON.stringify({
      messageId: 'm-1',
      from: CUSTOMER_MOBILE,
      to: '919900000001',
      content: 'UPIACT abc',
      receivedAt: new Date().toISOString(),
      ...fields,
    });

  it('a wrong signature gets 401', async () => {
    expect((await sendRaw(body({}), { secret: 'not-the-aggregator-secret' })).status).toBe(401);
  });

  it('a timestamp more than 300 s old gets 401', async () => {
    expect(
      (await sendRaw(body({}), { timestamp: Math.floor(Date.now() / 1000) - 301 })).status,
    ).toBe(401);
  });

  it('a replayed signed request gets 401 the second time', async () => {
    const attempt = await issueToken(server.url, tenant);
    const timestamp = Math.floor(Date.now() / 1000);
    const raw = body({ messageId: 'm-replay', content: attempt.smsContent });
    const first = await deliverSms(
      server.url,
      { from: '', content: '' },
      { rawBody: raw, timestamp },
    );
    expect(first.status).toBe(200);
    expect((await sendRaw(raw, { timestamp })).status).toBe(401);
  });

  it.each([
    ['malformed JSON', '{"messageId": ', null],
    ['a number for from', body({ from: 919812345678 }), 'from'],
    [
      'a missing content',
      JSON.stringify({
        messageId: 'm-2',
        from: CUSTOMER_MOBILE,
        to: '919900000001',
        receivedAt: new Date().toISOString(),
      }),
      'content',
    ],
    ['a receivedAt that is no date', body({ receivedAt: 'yesterday' }), 'receivedAt'],
    ['an oversized content', body({ content: 'x'.repeat(5000) }), 'content'],
  ])('%s gets 400', async (_case, raw, field) => {
    const response = await sendRaw(raw);
    expect(response.status).toBe(400);
    if (field) expect(response.body.errors).toEqual([expect.objectContaining({ field })]);
  });

  it('a body over 64 KiB gets 413', async () => {
    expect((await sendRaw(body({ content: 'x'.repeat(70 * 1024) }))).status).toBe(413);
  });
});
