import { type TenantCredentials } from '../../src/services/tenant-service';
import { graphql } from '../support/clients';
import { boundDevice } from '../support/flows';
import { CONSENT, DECIDE_CONSENT, DEREGISTER_DEVICE, REQUEST_CONSENT } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let tenant: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
});
afterAll(() => server.close());

const request = async (input: Record<string, unknown>) =>
  (await graphql(server.url, REQUEST_CONSENT, { input }, tenant)).data?.requestConsent;
const decide = async (input: Record<string, unknown>) =>
  (await graphql(server.url, DECIDE_CONSENT, { input: { spId: tenant.spId, ...input } }, tenant))
    .data?.decideConsent;
const consentOf = async (tx: string) =>
  (await graphql(server.url, CONSENT, { spId: tenant.spId, tx }, tenant)).data?.consentTransaction;

describe('consent over HTTP', () => {
  it('a consent to a bound customer is TRIGGERED and an ACTIVE binding of that customer accepts it', async () => {
    const { attempt, binding } = await boundDevice(server.url, tenant);
    const requested = await request({
      spTransactionID: 'tx-accept',
      merchantCustomerId: attempt.merchantCustomerId,
      purpose: 'KYC share',
    });
    expect(requested.errors).toEqual([]);
    expect(requested.consentTransaction).toMatchObject({
      spId: tenant.spId,
      spTransactionID: 'tx-accept',
      status: 'TRIGGERED',
      decidedAt: null,
    });
    expect(requested.consentTransaction.uaePassTransactionID).toMatch(/^[0-9a-f-]{36}$/);

    const decided = await decide({
      spTransactionID: 'tx-accept',
      decision: 'ACCEPT',
      deviceFingerprint: binding.fingerprint,
    });
    expect(decided.errors).toEqual([]);
    expect(decided.consentTransaction.status).toBe('ACCEPTED');
    expect(decided.consentTransaction.decidedAt).not.toBeNull();
    expect((await consentOf('tx-accept')).status).toBe('ACCEPTED');

    const again = await decide({
      spTransactionID: 'tx-accept',
      decision: 'REJECT',
      deviceFingerprint: binding.fingerprint,
    });
    expect(again.errors).toEqual([expect.objectContaining({ code: 'CONSENT_ALREADY_DECIDED' })]);
    expect((await consentOf('tx-accept')).status).toBe('ACCEPTED');
  });

  it('a consent to a customer with no active binding is INIT_FAILED', async () => {
    const requested = await request({
      spTransactionID: 'tx-unbound',
      merchantCustomerId: 'nobody-bound',
      purpose: 'KYC share',
    });
    expect(requested.consentTransaction.status).toBe('INIT_FAILED');
  });

  it('the same spTransactionID twice answers DUPLICATE_TRANSACTION', async () => {
    const { attempt } = await boundDevice(server.url, tenant);
    await request({
      spTransactionID: 'tx-dup',
      merchantCustomerId: attempt.merchantCustomerId,
      purpose: 'p',
    });
    const second = await request({
      spTransactionID: 'tx-dup',
      merchantCustomerId: attempt.merchantCustomerId,
      purpose: 'p',
    });
    expect(second).toEqual({
      consentTransaction: null,
      errors: [
        expect.objectContaining({
          code: 'DUPLICATE_TRANSACTION',
          field: ['input', 'spTransactionID'],
        }),
      ],
    });
  });

  it("a decision from another customer's device, or a deregistered one, answers DEVICE_NOT_BOUND and decides nothing", async () => {
    const owner = await boundDevice(server.url, tenant);
    const stranger = await boundDevice(server.url, tenant);
    await request({
      spTransactionID: 'tx-foreign',
      merchantCustomerId: owner.attempt.merchantCustomerId,
      purpose: 'p',
    });
    const foreign = await decide({
      spTransactionID: 'tx-foreign',
      decision: 'ACCEPT',
      deviceFingerprint: stranger.binding.fingerprint,
    });
    expect(foreign.errors).toEqual([
      expect.objectContaining({ code: 'DEVICE_NOT_BOUND', field: ['input', 'deviceFingerprint'] }),
    ]);

    const dereg = (
      await graphql(
        server.url,
        DEREGISTER_DEVICE,
        { input: { deviceBindingId: owner.binding.id } },
        tenant,
      )
    ).data?.deregisterDevice;
    expect(dereg.deviceBinding).toMatchObject({ status: 'DEREGISTERED' });
    expect(dereg.deviceBinding.deregisteredAt).not.toBeNull();
    const unbound = await decide({
      spTransactionID: 'tx-foreign',
      decision: 'ACCEPT',
      deviceFingerprint: owner.binding.fingerprint,
    });
    expect(unbound.errors).toEqual([expect.objectContaining({ code: 'DEVICE_NOT_BOUND' })]);
    expect((await consentOf('tx-foreign')).status).toBe('TRIGGERED');
  });

  it('REJECT makes the consent REJECTED', async () => {
    const { attempt, binding } = await boundDevice(server.url, tenant);
    await request({
      spTransactionID: 'tx-reject',
      merchantCustomerId: attempt.merchantCustomerId,
      purpose: 'p',
      expiresInSeconds: 60,
    });
    const decided = await decide({
      spTransactionID: 'tx-reject',
      decision: 'REJECT',
      deviceFingerprint: binding.fingerprint,
    });
    expect(decided.consentTransaction.status).toBe('REJECTED');
  });
});
