import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms } from '../support/clients';
import { CUSTOMER_MOBILE } from '../support/flows';
import {
  adoptSampleToken,
  oversizedBody,
  postLegacy,
  RAZORPAY,
  razorpayBindBody as bindBody,
  razorpayCustomer as newCustomer,
  type RazorpayCustomer as Customer,
  razorpayHeaders,
  razorpayPost,
  razorpayVerify,
  registrationOf,
  SAMPLE_TOKEN,
  SECOND_SENDER,
  writes,
} from '../support/legacy';
import { startTestServer, type TestServer, VMN_NUMBER } from '../support/server';
import { waitFor } from '../support/wait';

const { verification: VERIFICATION, bind: BIND } = RAZORPAY;

let server: TestServer;
let tenant: TenantCredentials;
let intruder: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
  intruder = await server.newTenant('INTRUDER');
});
afterAll(() => server.close());

const post = (path: string, customer: Customer, body: object, caller = tenant) =>
  razorpayPost(server, caller, path, customer, body);
const verify = (customer: Customer, mobile = CUSTOMER_MOBILE) =>
  razorpayVerify(server, tenant, customer, mobile);

describe('Razorpay TPAP binding', () => {
  it('binds a device through Razorpay alone: verification, SMS to the VMN, bind', async () => {
    const customer = newCustomer();
    const response = await post(VERIFICATION, customer, {
      device: customer.device,
      verification_type: 'sms',
      mobile: CUSTOMER_MOBILE,
      network_provider: 'jio',
    });
    const nowSeconds = Date.now() / 1000;
    expect(response).toEqual({
      status: 200,
      body: {
        verification_type: 'sms',
        sms: {
          content: expect.stringMatching(/^UPIACT [a-z0-9]{32}$/),
          receiver_number: [{ network_provider: 'jio', mobile: VMN_NUMBER }],
        },
        expire_at: expect.any(Number),
      },
    });
    expect(response.body.expire_at).toBeGreaterThan(nowSeconds + 590);
    expect(response.body.expire_at).toBeLessThan(nowSeconds + 610);

    const content = response.body.sms.content;
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content });
    const bound = await post(BIND, customer, bindBody(customer, content));
    expect(bound).toEqual({
      status: 200,
      body: {
        entity: 'upi.device',
        mobile: CUSTOMER_MOBILE,
        ...customer.device,
        status: 'verified',
      },
    });
    expect((await registrationOf(server, content)).status).toBe('BOUND');

    const before = await writes(server);
    const again = await post(BIND, customer, bindBody(customer, content));
    expect(again.body).toEqual({ ...bound.body, status: 'device_already_verified' });
    expect(await writes(server)).toEqual(before);
  });

  it('of simultaneous identical binds exactly one is verified, every other device_already_verified', async () => {
    const customer = newCustomer();
    const content = await verify(customer);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => post(BIND, customer, bindBody(customer, content))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(answers.map((a) => a.body.status).sort()).toEqual([
      ...Array(5).fill('device_already_verified'),
      'verified',
    ]);
  });

  it('the seed sample, sent as written, gets the seed response with the mobile as sent', async () => {
    const customer: Customer = {
      reference: 'customer-id-from-customer',
      device: { ...newCustomer().device, uuid: '<device_id>', ssid: '123456789' },
    };
    const issued = await verify(customer, '91999999999');
    await adoptSampleToken(server, issued, SAMPLE_TOKEN);
    await deliverSms(server.url, { from: '91999999999', content: SAMPLE_TOKEN });

    const basic = Buffer.from(`${tenant.keyId}:${tenant.keySecret}`).toString('base64');
    const response = await postLegacy(
      server.url,
      BIND,
      {
        Authorization: `Basic ${basic}`,
        'Content-type': 'application/json',
        'x-customer-reference': 'customer-id-from-customer',
      },
      `{
"mobile":"91999999999",
"verification_type":"sms",
"sms":{
"content":"UPIACT ad56ef90396348bac56099"
},
"uuid":"<device_id>",
"app":"test.merchant.upi.com",
"ssid":"123456789",
"manufacturer":"samsung",
"model":"Galaxy S23",
"os":"android",
"os_version":"Dev12345"
}`,
    );

    expect(response).toEqual({
      status: 200,
      body: {
        entity: 'upi.device',
        mobile: '91999999999',
        uuid: '<device_id>',
        app: 'test.merchant.upi.com',
        ssid: '123456789',
        manufacturer: 'samsung',
        model: 'Galaxy S23',
        os: 'android',
        os_version: 'Dev12345',
        status: 'verified',
      },
    });
  });

  it('accepts the device inside a `device` object, as the parameter table says', async () => {
    const customer = newCustomer();
    const content = await verify(customer);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content });
    const { uuid: _uuid, ...flat } = bindBody(customer, content);
    const response = await post(BIND, customer, { ...flat, device: customer.device });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('verified');
  });

  it('answers mobile_verification_pending before the SMS and changes nothing', async () => {
    const customer = newCustomer();
    const content = await verify(customer);
    const before = await writes(server);
    const response = await post(BIND, customer, bindBody(customer, content));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      entity: 'upi.device',
      status: 'mobile_verification_pending',
    });
    expect(await writes(server)).toEqual(before);
  });

  it('answers mobile_verification_mismatch when the SMS came from another number', async () => {
    const customer = newCustomer();
    const content = await verify(customer, CUSTOMER_MOBILE);
    await deliverSms(server.url, { from: SECOND_SENDER, content });
    const response = await post(BIND, customer, bindBody(customer, content));
    expect(response.body.status).toBe('mobile_verification_mismatch');
  });

  it('answers mobile_verification_failed when a second number sent the token', async () => {
    const customer = newCustomer();
    const content = await verify(customer);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content });
    await deliverSms(server.url, { from: SECOND_SENDER, content });
    const response = await post(BIND, customer, bindBody(customer, content));
    expect(response.body.status).toBe('mobile_verification_failed');
  });
});

describe('refused Razorpay requests get {error} with a 4xx and change nothing', () => {
  const customer = newCustomer();
  let content: string;
  beforeAll(async () => {
    content = await verify(customer);
  });

  interface Route {
    path: string;
    body: () => Record<string, unknown>;
    missingField: () => Record<string, unknown>;
    missingName: string;
  }
  const routes: Record<string, Route> = {
    verification: {
      path: VERIFICATION,
      body: () => ({ device: customer.device, verification_type: 'sms', mobile: CUSTOMER_MOBILE }),
      missingField: () => ({ device: { os: 'android' }, verification_type: 'sms' }),
      missingName: 'device.uuid',
    },
    bind: {
      path: BIND,
      body: () => bindBody(customer, content),
      missingField: () => {
        const { uuid: _uuid, ...rest } = bindBody(customer, content);
        return rest;
      },
      missingName: 'uuid',
    },
  };
  const valid = (r: Route) => JSON.stringify(r.body());
  const authenticated = () => razorpayHeaders(tenant, customer.reference);
  const wrongSecret = () => razorpayHeaders({ ...tenant, keySecret: 'wrong' }, customer.reference);
  const anonymous = () => ({ 'Content-type': 'application/json', 'x-customer-reference': 'c' });
  const otp = (r: Route) => JSON.stringify({ ...r.body(), verification_type: 'otp' });
  type Case = [string, () => Record<string, string>, (r: Route) => string, number, string | null];
  // Every row has all five cells: jest hands a shorter row's missing cell `done` instead.
  const cases: Case[] = [
    ['no credentials', anonymous, valid, 401, null],
    ['a wrong key secret', wrongSecret, valid, 401, null],
    [
      'no x-customer-reference',
      () => razorpayHeaders(tenant, ''),
      valid,
      400,
      'x-customer-reference',
    ],
    ['malformed JSON', authenticated, () => '{"mobile": "91', 400, null],
    ['a missing field', authenticated, (r) => JSON.stringify(r.missingField()), 400, null],
    ['a verification type other than sms', authenticated, otp, 400, 'verification_type'],
    ['a body over 64 KiB', authenticated, (r) => oversizedBody(r.body()), 413, null],
  ];

  describe.each(Object.entries(routes))('%s', (_name, route) => {
    it.each(cases)('%s', async (name, headersOf, body, status, field) => {
      const before = await writes(server);
      const response = await postLegacy(server.url, route.path, headersOf(), body(route));
      expect(response.status).toBe(status);
      expect(response.body).toEqual({
        error: {
          code: 'BAD_REQUEST_ERROR',
          description: expect.any(String),
          field: name === 'a missing field' ? route.missingName : field,
          reason: expect.any(String),
        },
      });
      expect(await writes(server)).toEqual(before);
      expect((await registrationOf(server, content)).status).toBe('PENDING_SMS');
    });
  });

  it("another tenant's token is not found, as an unknown one is", async () => {
    const before = await writes(server);
    const theirs = await post(BIND, customer, bindBody(customer, content), intruder);
    const unknown = await post(BIND, customer, bindBody(customer, 'UPIACT unknown'), intruder);
    expect(theirs.status).toBe(404);
    expect(theirs).toEqual(unknown);
    expect(theirs.body.error).toMatchObject({ code: 'BAD_REQUEST_ERROR', field: 'sms.content' });
    expect(await writes(server)).toEqual(before);
  });
});

// Last: moving the server clock makes later signed SMS deliveries (real time) look stale.
describe('Razorpay binding after expiry', () => {
  it('answers mobile_verification_expired once the token expired', async () => {
    const customer = newCustomer();
    const content = await verify(customer);
    server.clock.advance(601_000);
    await waitFor(
      () => registrationOf(server, content),
      (r) => r.status === 'EXPIRED',
    );
    const response = await post(BIND, customer, bindBody(customer, content));
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('mobile_verification_expired');
  });
});
