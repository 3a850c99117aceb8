import { type TenantCredentials } from '../../src/services/tenant-service';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../../src/graphql/subscription-server';
import { deliverSms, graphql } from '../support/clients';
import { bindInput, boundDevice, CUSTOMER_MOBILE, issueToken } from '../support/flows';
import { BIND_DEVICE, DECIDE_CONSENT, REQUEST_CONSENT } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';
import {
  CONSENT_CHANGED,
  REGISTRATION_CHANGED,
  statuses,
  subscribe,
  wsClient,
} from '../support/ws';

let server: TestServer;
let tenant: TenantCredentials;
let other: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
  other = await server.newTenant('OTHER');
});
afterAll(() => server.close());

describe('subscriptions over graphql-ws', () => {
  it('pushes PENDING_SMS, then SMS_VERIFIED when the SMS arrives, then BOUND, and completes', async () => {
    const attempt = await issueToken(server.url, tenant);
    const feed = subscribe(wsClient(server.url, tenant), REGISTRATION_CHANGED, {
      id: attempt.registrationId,
    });
    expect(statuses(await feed.untilCount(1), 'registrationStatusChanged')).toEqual([
      'PENDING_SMS',
    ]);

    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    const verified = await feed.untilCount(2);
    expect(verified[1].data.registrationStatusChanged).toEqual({
      id: attempt.registrationId,
      status: 'SMS_VERIFIED',
      mobileNumber: CUSTOMER_MOBILE,
    });

    await graphql(server.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant);
    await feed.done;
    expect(statuses(feed.results, 'registrationStatusChanged')).toEqual([
      'PENDING_SMS',
      'SMS_VERIFIED',
      'BOUND',
    ]);
    await feed.close();
  });

  it('pushes TRIGGERED then ACCEPTED for a consent, and completes', async () => {
    const { attempt, binding } = await boundDevice(server.url, tenant);
    await graphql(
      server.url,
      REQUEST_CONSENT,
      {
        input: {
          spTransactionID: 'tx-push',
          merchantCustomerId: attempt.merchantCustomerId,
          purpose: 'p',
        },
      },
      tenant,
    );
    const feed = subscribe(wsClient(server.url, tenant), CONSENT_CHANGED, {
      spId: tenant.spId,
      tx: 'tx-push',
    });
    await feed.untilCount(1);
    await graphql(
      server.url,
      DECIDE_CONSENT,
      {
        input: {
          spId: tenant.spId,
          spTransactionID: 'tx-push',
          decision: 'ACCEPT',
          deviceFingerprint: binding.fingerprint,
        },
      },
      tenant,
    );
    await feed.done;
    expect(statuses(feed.results, 'consentStatusChanged')).toEqual(['TRIGGERED', 'ACCEPTED']);
    await feed.close();
  });

  it('pushes EXPIRED when the sweeper expires a token, with no read from anyone', async () => {
    const attempt = await issueToken(server.url, tenant);
    const feed = subscribe(wsClient(server.url, tenant), REGISTRATION_CHANGED, {
      id: attempt.registrationId,
    });
    await feed.untilCount(1);
    server.clock.advance(601_000);
    await feed.done;
    expect(statuses(feed.results, 'registrationStatusChanged')).toEqual(['PENDING_SMS', 'EXPIRED']);
    await feed.close();
  });

  it("a subscription to another tenant's registration gets the same error as one that does not exist", async () => {
    const attempt = await issueToken(server.url, tenant);
    const foreign = subscribe(wsClient(server.url, other), REGISTRATION_CHANGED, {
      id: attempt.registrationId,
    });
    const missing = subscribe(wsClient(server.url, other), REGISTRATION_CHANGED, {
      id: '00000000-0000-0000-0000-000000000000',
    });
    // graphql-ws delivers a subscribe-time error as one result carrying errors, then completes.
    await Promise.all([foreign.done, missing.done]);
    expect(foreign.results).toEqual([
      {
        errors: [
          expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
        ],
      },
    ]);
    const withoutId = (results: unknown[], id: string) =>
      JSON.stringify(results).replace(id, '<id>');
    expect(withoutId(foreign.results, attempt.registrationId)).toBe(
      withoutId(missing.results, '00000000-0000-0000-0000-000000000000'),
    );
    await Promise.all([foreign.close(), missing.close()]);
  });

  it.each([
    ['missing', undefined],
    ['wrong', { apiKey: 'nobody', apiToken: 'nothing' }],
  ])('%s credentials close the socket with 4403', async (_case, credentials) => {
    let closedWith = 0;
    const feed = subscribe(
      wsClient(server.url, credentials, (code) => (closedWith = code)),
      REGISTRATION_CHANGED,
      { id: 'x' },
    );
    await expect(feed.done).rejects.toBeDefined();
    expect(closedWith).toBe(4403);
    await feed.close();
  });

  it(`refuses subscription number ${MAX_SUBSCRIPTIONS_PER_CONNECTION + 1} on one connection with a clear error`, async () => {
    const attempt = await issueToken(server.url, tenant);
    const client = wsClient(server.url, tenant);
    const feeds = Array.from({ length: MAX_SUBSCRIPTIONS_PER_CONNECTION }, () =>
      subscribe(client, REGISTRATION_CHANGED, { id: attempt.registrationId }),
    );
    await Promise.all(feeds.map((feed) => feed.untilCount(1)));
    expect(feeds.every((feed) => feed.results.length === 1)).toBe(true);
    const extra = subscribe(client, REGISTRATION_CHANGED, { id: attempt.registrationId });
    const error = await extra.done.then(
      () => null,
      (e) => e,
    );
    expect(error).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('At most 100 subscriptions'),
        extensions: { code: 'SUBSCRIPTION_LIMIT' },
      }),
    ]);
    await client.dispose();
  });
});
