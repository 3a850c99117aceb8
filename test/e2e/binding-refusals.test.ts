import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from '../support/clients';
import { bindInput, CUSTOMER_MOBILE, issueToken } from '../support/flows';
import {
  BIND_DEVICE,
  CUSTOMER,
  DECLINE_BINDING,
  REGISTRATION,
  REQUEST_SMS_TOKEN,
} from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let tenant: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
});
afterAll(() => server.close());

const registration = async (id: string) =>
  (await graphql(server.url, REGISTRATION, { id }, tenant)).data?.registration;
const bind = async (input: Record<string, unknown>) =>
  (await graphql(server.url, BIND_DEVICE, { input }, tenant)).data?.bindDevice;
const devicesOf = async (customerId: string) =>
  (await graphql(server.url, CUSTOMER, { id: customerId }, tenant)).data?.customer?.devices ?? [];

describe('bindDevice refuses and changes nothing', () => {
  it('answers SMS_VERIFICATION_PENDING before the SMS arrives', async () => {
    const attempt = await issueToken(server.url, tenant);
    const result = await bind(bindInput(attempt));
    expect(result).toEqual({
      registration: null,
      deviceBinding: null,
      errors: [expect.objectContaining({ code: 'SMS_VERIFICATION_PENDING' })],
    });
    expect((await registration(attempt.registrationId)).status).toBe('PENDING_SMS');
    expect(await devicesOf(attempt.merchantCustomerId)).toEqual([]);
  });

  it('an SMS from a number other than the expected one makes the attempt MISMATCH', async () => {
    const attempt = await issueToken(server.url, tenant, { expectedMobileNumber: '919811111111' });
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    expect(await registration(attempt.registrationId)).toMatchObject({
      status: 'MISMATCH',
      mobileNumber: CUSTOMER_MOBILE,
    });
    const result = await bind(bindInput(attempt));
    expect(result.errors).toEqual([expect.objectContaining({ code: 'MOBILE_MISMATCH' })]);
    expect(await devicesOf(attempt.merchantCustomerId)).toEqual([]);
  });

  it('a second sender of the same token declines the registration as fraud', async () => {
    const attempt = await issueToken(server.url, tenant);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    await deliverSms(server.url, { from: '919800000077', content: attempt.smsContent });
    const reg = await registration(attempt.registrationId);
    expect(reg.status).toBe('DECLINED');
    expect(reg.statusReason).toMatch(/fraud/);
    expect(reg.mobileNumber).toBe(CUSTOMER_MOBILE);
    expect((await bind(bindInput(attempt))).errors).toEqual([
      expect.objectContaining({ code: 'ALREADY_DECLINED' }),
    ]);
  });

  it.each([
    ['deviceId', { deviceId: 'another-device' }],
    ['os', { os: 'ios' }],
    ['ssid', { ssid: 'another-sim' }],
  ])('a different %s than at issue answers DEVICE_MISMATCH', async (field, change) => {
    const attempt = await issueToken(server.url, tenant);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    const result = await bind(bindInput(attempt, change));
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'DEVICE_MISMATCH', field: ['input', field] }),
    ]);
    expect((await registration(attempt.registrationId)).status).toBe('SMS_VERIFIED');
  });

  it('a mobileNumber other than the SMS sender answers MOBILE_MISMATCH', async () => {
    const attempt = await issueToken(server.url, tenant);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    const result = await bind(bindInput(attempt, { mobileNumber: '919800000066' }));
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'MOBILE_MISMATCH', field: ['input', 'mobileNumber'] }),
    ]);
    expect((await registration(attempt.registrationId)).status).toBe('SMS_VERIFIED');
  });

  it('a fourth token for one device within 24 hours is refused with ATTEMPT_LIMIT_EXCEEDED', async () => {
    const deviceId = 'dev-limit';
    for (let i = 0; i < 3; i++) await issueToken(server.url, tenant, { deviceId });
    const fourth = await graphql(
      server.url,
      REQUEST_SMS_TOKEN,
      { input: { merchantCustomerId: 'c-limit', deviceId, os: 'android' } },
      tenant,
    );
    expect(fourth.data?.requestSmsToken).toEqual({
      smsContent: null,
      registration: null,
      errors: [
        expect.objectContaining({ code: 'ATTEMPT_LIMIT_EXCEEDED', field: ['input', 'deviceId'] }),
      ],
    });
  });

  it('declining after the bind answers ALREADY_BOUND and the binding stays', async () => {
    const attempt = await issueToken(server.url, tenant);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    await bind(bindInput(attempt));
    const declined = (
      await graphql(
        server.url,
        DECLINE_BINDING,
        { input: { smsContent: attempt.smsContent } },
        tenant,
      )
    ).data?.declineBinding;
    expect(declined.errors).toEqual([expect.objectContaining({ code: 'ALREADY_BOUND' })]);
    expect((await registration(attempt.registrationId)).status).toBe('BOUND');
    expect(await devicesOf(attempt.merchantCustomerId)).toEqual([
      expect.objectContaining({ status: 'ACTIVE' }),
    ]);
  });

  it('an idempotency key reused with other input answers IDEMPOTENCY_KEY_REUSED; the same input replays the first result', async () => {
    const attempt = await issueToken(server.url, tenant);
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    const first = await bind(bindInput(attempt, { idempotencyKey: 'key-1' }));
    expect(first.errors).toEqual([]);
    const replay = await bind(bindInput(attempt, { idempotencyKey: 'key-1' }));
    expect(replay.deviceBinding.id).toBe(first.deviceBinding.id);
    const reused = await bind(bindInput(attempt, { idempotencyKey: 'key-1', model: 'Pixel 9' }));
    expect(reused.errors).toEqual([
      expect.objectContaining({
        code: 'IDEMPOTENCY_KEY_REUSED',
        field: ['input', 'idempotencyKey'],
      }),
    ]);
    expect(await devicesOf(attempt.merchantCustomerId)).toHaveLength(1);
  });
});
