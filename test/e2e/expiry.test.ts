import { ConsentTransaction, OutboxEvent, Registration } from '../../src/persistence/entities';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from '../support/clients';
import { bindInput, boundDevice, CUSTOMER_MOBILE, issueToken } from '../support/flows';
import { BIND_DEVICE, DECIDE_CONSENT, REGISTRATION, REQUEST_CONSENT } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';
import { waitFor } from '../support/wait';

let server: TestServer;
let tenant: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
});
afterAll(() => server.close());

/** Reads straight from the database: no API read can have caused a change. */
const rowOf =
  <T extends object>(entity: new () => T, where: Record<string, unknown>) =>
  () =>
    server.app.orm.em.fork().findOneOrFail(entity, where as never);

describe('expiry happens on time, not on read', () => {
  it('the sweeper expires an overdue token with no read, publishes EXPIRED once, and bind then answers TOKEN_EXPIRED', async () => {
    const attempt = await issueToken(server.url, tenant);
    const consentCustomer = await boundDevice(server.url, tenant);
    const consent = (
      await graphql(
        server.url,
        REQUEST_CONSENT,
        {
          input: {
            spTransactionID: 'tx-expiring',
            merchantCustomerId: consentCustomer.attempt.merchantCustomerId,
            purpose: 'share profile',
          },
        },
        tenant,
      )
    ).data?.requestConsent.consentTransaction;
    expect(consent.status).toBe('TRIGGERED');

    server.clock.advance(601_000);
    const reg = await waitFor(
      rowOf(Registration, { id: attempt.registrationId }),
      (r) => r.status === 'EXPIRED',
    );
    expect(reg.status).toBe('EXPIRED');
    const tx = await waitFor(
      rowOf(ConsentTransaction, { spTransactionId: 'tx-expiring' }),
      (c) => c.status === 'EXPIRED',
    );
    expect(tx.status).toBe('EXPIRED');

    const events = await server.app.orm.em
      .fork()
      .find(OutboxEvent, { aggregateId: attempt.registrationId });
    expect(events.map((e) => JSON.parse(e.payload).status)).toEqual(['PENDING_SMS', 'EXPIRED']);

    const now = Math.floor(server.clock.now().getTime() / 1000);
    const late = await deliverSms(
      server.url,
      { from: CUSTOMER_MOBILE, content: attempt.smsContent },
      { timestamp: now },
    );
    expect(late.status).toBe(200);
    expect(
      (await graphql(server.url, REGISTRATION, { id: attempt.registrationId }, tenant)).data
        ?.registration.status,
    ).toBe('EXPIRED');
    const bind = (await graphql(server.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant))
      .data?.bindDevice;
    expect(bind.errors).toEqual([expect.objectContaining({ code: 'TOKEN_EXPIRED' })]);

    const decide = (
      await graphql(
        server.url,
        DECIDE_CONSENT,
        {
          input: {
            spId: tenant.spId,
            spTransactionID: 'tx-expiring',
            decision: 'ACCEPT',
            deviceFingerprint: consentCustomer.binding.fingerprint,
          },
        },
        tenant,
      )
    ).data?.decideConsent;
    expect(decide.errors).toEqual([expect.objectContaining({ code: 'CONSENT_EXPIRED' })]);
    expect((await rowOf(ConsentTransaction, { spTransactionId: 'tx-expiring' })()).status).toBe(
      'EXPIRED',
    );
  });
});
