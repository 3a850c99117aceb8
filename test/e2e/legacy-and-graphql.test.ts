import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from '../support/clients';
import { bindInput, CUSTOMER_MOBILE, issueToken } from '../support/flows';
import {
  enstageHeaders,
  JUSPAY,
  juspayBindBody,
  juspayGetSmsToken,
  juspaySend,
  postLegacy,
  RAZORPAY,
  razorpayBindBody,
  razorpayCustomer,
  razorpayPost,
  razorpayVerify,
} from '../support/legacy';
import { BIND_DEVICE, CUSTOMER, REGISTRATION, REGISTRATION_STATUS } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';
import { type Feed, REGISTRATION_CHANGED, statuses, subscribe, wsClient } from '../support/ws';

const POLLING = '/upi-integration/upi/registration/v1/polling';
const DECLINE = '/upi-integration/upi/registration/v1/decline/deviceBinding';

let server: TestServer;
let tenant: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
});
afterAll(() => server.close());

const poll = async (refNumber: string): Promise<string> =>
  (await postLegacy(server.url, POLLING, enstageHeaders(tenant), JSON.stringify({ refNumber })))
    .body.resCode;

const watch = (registrationId: string): Feed =>
  subscribe(wsClient(server.url, tenant), REGISTRATION_CHANGED, { id: registrationId });

/** Waits for the feed's next status and answers it. */
async function nextStatus(feed: Feed, count: number): Promise<string> {
  return statuses(await feed.untilCount(count), 'registrationStatusChanged')[count - 1];
}

describe('a binding started over REST is pushed to GraphQL subscribers', () => {
  it('a Razorpay verification is followed by a subscription through SMS_VERIFIED and BOUND', async () => {
    const customer = razorpayCustomer();
    const smsContent = await razorpayVerify(server, tenant, customer);
    const found = await graphql(
      server.url,
      REGISTRATION_STATUS,
      { deviceId: customer.device.uuid, ssid: customer.device.ssid },
      tenant,
    );
    const registration = found.data?.registrationStatus;
    expect(registration).toEqual({ id: expect.any(String), status: 'PENDING_SMS' });

    const feed = watch(registration.id);
    expect(await nextStatus(feed, 1)).toBe('PENDING_SMS');
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: smsContent });
    expect(await nextStatus(feed, 2)).toBe('SMS_VERIFIED');

    const bound = await razorpayPost(
      server,
      tenant,
      RAZORPAY.bind,
      customer,
      razorpayBindBody(customer, smsContent),
    );
    expect(bound.body.status).toBe('verified');
    await feed.done;
    expect(statuses(feed.results, 'registrationStatusChanged')).toEqual([
      'PENDING_SMS',
      'SMS_VERIFIED',
      'BOUND',
    ]);
    expect(feed.results[1].data.registrationStatusChanged.mobileNumber).toBe(CUSTOMER_MOBILE);
    await feed.close();
  });

  it('a Juspay getSmsToken is followed by a subscription found through the customer, until bound', async () => {
    const attempt = await juspayGetSmsToken(server, tenant);
    const customer = await graphql(
      server.url,
      CUSTOMER,
      { id: attempt.merchantCustomerId },
      tenant,
    );
    const [registration] = customer.data?.customer.registrations ?? [];
    expect(registration).toEqual({ id: expect.any(String), status: 'PENDING_SMS' });

    const feed = watch(registration.id);
    expect(await nextStatus(feed, 1)).toBe('PENDING_SMS');
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    expect(await nextStatus(feed, 2)).toBe('SMS_VERIFIED');

    const bound = await juspaySend(server, tenant, JUSPAY.bindDevice, juspayBindBody(attempt));
    expect(bound.body.status).toBe('SUCCESS');
    await feed.done;
    expect(statuses(feed.results, 'registrationStatusChanged')).toEqual([
      'PENDING_SMS',
      'SMS_VERIFIED',
      'BOUND',
    ]);
    await feed.close();
  });
});

describe('a binding started over GraphQL is seen by Enstage polling', () => {
  it('polling by refNumber moves 100, 101, 200 in step with the subscription', async () => {
    const attempt = await issueToken(server.url, tenant);
    const { refNumber } = (
      await graphql(server.url, REGISTRATION, { id: attempt.registrationId }, tenant)
    ).data!.registration;
    const feed = watch(attempt.registrationId);

    expect(await nextStatus(feed, 1)).toBe('PENDING_SMS');
    expect(await poll(refNumber)).toBe('100');

    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    expect(await nextStatus(feed, 2)).toBe('SMS_VERIFIED');
    expect(await poll(refNumber)).toBe('101');

    const bound = await graphql(server.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant);
    expect(bound.data?.bindDevice.errors).toEqual([]);
    expect(await nextStatus(feed, 3)).toBe('BOUND');
    expect(await poll(refNumber)).toBe('200');
    await feed.done;
    await feed.close();
  });

  it('an attempt declined over Enstage REST ends the GraphQL subscription with DECLINED', async () => {
    const attempt = await issueToken(server.url, tenant);
    const { refNumber } = (
      await graphql(server.url, REGISTRATION, { id: attempt.registrationId }, tenant)
    ).data!.registration;
    const feed = watch(attempt.registrationId);
    expect(await nextStatus(feed, 1)).toBe('PENDING_SMS');

    const declined = await postLegacy(
      server.url,
      DECLINE,
      enstageHeaders(tenant),
      JSON.stringify({ udfParameters: '{"udf1":"v"}', smsContent: attempt.smsContent }),
    );
    expect(declined.body.payload.gatewayResponseCode).toBe('JP19');
    await feed.done;
    expect(statuses(feed.results, 'registrationStatusChanged')).toEqual([
      'PENDING_SMS',
      'DECLINED',
    ]);
    expect(await poll(refNumber)).toBe('500');
    await feed.close();
  });
});
