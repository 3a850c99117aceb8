import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from '../support/clients';
import { bindInput, CUSTOMER_MOBILE, issueToken } from '../support/flows';
import {
  BIND_DEVICE,
  CUSTOMER,
  DECLINE_BINDING,
  REGISTRATION,
  REGISTRATION_STATUS,
  REQUEST_SMS_TOKEN,
} from '../support/operations';
import { startTestServer, type TestServer, VMN_NUMBER } from '../support/server';

let server: TestServer;
let tenant: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
});
afterAll(() => server.close());

const statusOf = async (id: string) =>
  (await graphql(server.url, REGISTRATION, { id }, tenant)).data?.registration;

describe('device binding over HTTP', () => {
  it('binds a device: token, signed SMS, SMS_VERIFIED with the sender, bind, BOUND with a fingerprint', async () => {
    const issued = await graphql(
      server.url,
      REQUEST_SMS_TOKEN,
      {
        input: {
          merchantCustomerId: 'cust-happy',
          deviceId: 'dev-happy',
          os: 'android',
          ssid: 'sim-1',
        },
      },
      tenant,
    );
    const payload = issued.data?.requestSmsToken;
    expect(payload.errors).toEqual([]);
    expect(payload.smsContent).toMatch(/^UPIACT [a-z0-9]+$/);
    expect(payload.smsContent.length).toBeGreaterThanOrEqual(35);
    expect(payload.registration).toMatchObject({
      status: 'PENDING_SMS',
      vmn: VMN_NUMBER,
      deviceId: 'dev-happy',
    });
    expect(payload.registration.refNumber).toMatch(/^\d{10}$/);
    const id = payload.registration.id;

    const sms = await deliverSms(server.url, {
      from: CUSTOMER_MOBILE,
      content: payload.smsContent,
    });
    expect(sms).toEqual({
      status: 200,
      body: expect.objectContaining({ status: 'ACCEPTED', duplicate: false }),
    });
    expect(await statusOf(id)).toMatchObject({
      status: 'SMS_VERIFIED',
      mobileNumber: CUSTOMER_MOBILE,
    });

    const attempt = {
      registrationId: id,
      smsContent: payload.smsContent,
      merchantCustomerId: 'cust-happy',
      deviceId: 'dev-happy',
      os: 'android',
      ssid: 'sim-1',
    };
    const bound = await graphql(server.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant);
    const result = bound.data?.bindDevice;
    expect(result.errors).toEqual([]);
    expect(result.registration.status).toBe('BOUND');
    expect(result.deviceBinding).toMatchObject({
      status: 'ACTIVE',
      mobileNumber: CUSTOMER_MOBILE,
      ssid: 'sim-1',
    });
    expect(result.deviceBinding.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(result.registration.history.map((h: { status: string }) => h.status)).toEqual([
      'PENDING_SMS',
      'SMS_VERIFIED',
      'BOUND',
    ]);

    const customer = (await graphql(server.url, CUSTOMER, { id: 'cust-happy' }, tenant)).data
      ?.customer;
    expect(customer.devices).toEqual([
      {
        id: result.deviceBinding.id,
        fingerprint: result.deviceBinding.fingerprint,
        status: 'ACTIVE',
      },
    ]);
    expect(customer.registrations).toEqual([{ id, status: 'BOUND' }]);

    const polled = (
      await graphql(
        server.url,
        REGISTRATION_STATUS,
        { deviceId: 'dev-happy', ssid: 'sim-1' },
        tenant,
      )
    ).data;
    expect(polled?.registrationStatus).toEqual({ id, status: 'BOUND' });
  });

  it('binding again with the same input answers the same binding and creates nothing', async () => {
    const attempt = await issueToken(server.url, tenant);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    const first = (await graphql(server.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant))
      .data?.bindDevice;
    const second = (await graphql(server.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant))
      .data?.bindDevice;
    expect(second.errors).toEqual([]);
    expect(second.deviceBinding.id).toBe(first.deviceBinding.id);
    const customer = (
      await graphql(server.url, CUSTOMER, { id: attempt.merchantCustomerId }, tenant)
    ).data?.customer;
    expect(customer.devices).toHaveLength(1);
  });

  it('the same SMS messageId delivered twice is accepted once', async () => {
    const attempt = await issueToken(server.url, tenant);
    const first = await deliverSms(server.url, {
      from: CUSTOMER_MOBILE,
      content: attempt.smsContent,
      messageId: 'msg-dup-1',
    });
    // A different sender under the same messageId would be fraud if it were processed again.
    const again = await deliverSms(server.url, {
      from: '919800000099',
      content: attempt.smsContent,
      messageId: 'msg-dup-1',
    });
    expect(first.body.duplicate).toBe(false);
    expect(again).toEqual({ status: 200, body: expect.objectContaining({ duplicate: true }) });
    expect((await statusOf(attempt.registrationId)).status).toBe('SMS_VERIFIED');
  });

  it('deregisterOldBindings leaves only the new binding active', async () => {
    const customerId = 'cust-two-phones';
    const firstAttempt = await issueToken(server.url, tenant, { merchantCustomerId: customerId });
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: firstAttempt.smsContent });
    await graphql(server.url, BIND_DEVICE, { input: bindInput(firstAttempt) }, tenant);
    const secondAttempt = await issueToken(server.url, tenant, { merchantCustomerId: customerId });
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: secondAttempt.smsContent });
    const second = (
      await graphql(
        server.url,
        BIND_DEVICE,
        { input: bindInput(secondAttempt, { deregisterOldBindings: true }) },
        tenant,
      )
    ).data?.bindDevice;
    const devices = (await graphql(server.url, CUSTOMER, { id: customerId }, tenant)).data?.customer
      .devices;
    expect(devices).toHaveLength(2);
    expect(devices.filter((d: { status: string }) => d.status === 'ACTIVE')).toEqual([
      expect.objectContaining({ id: second.deviceBinding.id }),
    ]);
  });

  it('declining an open attempt makes it DECLINED and a later bind answers ALREADY_DECLINED', async () => {
    const attempt = await issueToken(server.url, tenant);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    const declined = (
      await graphql(
        server.url,
        DECLINE_BINDING,
        { input: { smsContent: attempt.smsContent, reason: 'app toggled off' } },
        tenant,
      )
    ).data?.declineBinding;
    expect(declined).toEqual({
      registration: {
        id: attempt.registrationId,
        status: 'DECLINED',
        statusReason: 'app toggled off',
      },
      errors: [],
    });
    const bind = (await graphql(server.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant))
      .data?.bindDevice;
    expect(bind.errors).toEqual([
      expect.objectContaining({ code: 'ALREADY_DECLINED', field: ['input', 'smsContent'] }),
    ]);
    expect(bind.deviceBinding).toBeNull();
  });
});
