import { type TenantCredentials } from '../../src/services/tenant-service';
import { graphql } from '../support/clients';
import { bindInput, boundDevice, issueToken } from '../support/flows';
import {
  BIND_DEVICE,
  CONSENT,
  CUSTOMER,
  DECIDE_CONSENT,
  DECLINE_BINDING,
  DEREGISTER_DEVICE,
  DEVICE_BINDING,
  REGISTRATION,
  REGISTRATION_STATUS,
  REQUEST_CONSENT,
} from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let owner: TenantCredentials;
let intruder: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.newTenant('OWNER');
  intruder = await server.newTenant('INTRUDER');
});
afterAll(() => server.close());

/** The intruder's answer for the owner's thing must equal its answer for a thing that does not exist. */
async function sameAsMissing(
  query: string,
  real: Record<string, unknown>,
  missing: Record<string, unknown>,
) {
  const forReal = await graphql(server.url, query, real, intruder);
  const forMissing = await graphql(server.url, query, missing, intruder);
  expect(forReal).toEqual(forMissing);
  return forReal;
}

describe('tenant isolation', () => {
  it('no query of another tenant answers anything but what a missing id answers', async () => {
    const { attempt, binding } = await boundDevice(server.url, owner);
    await graphql(
      server.url,
      REQUEST_CONSENT,
      {
        input: {
          spTransactionID: 'tx-private',
          merchantCustomerId: attempt.merchantCustomerId,
          purpose: 'p',
        },
      },
      owner,
    );

    expect(
      (
        await sameAsMissing(
          REGISTRATION,
          { id: attempt.registrationId },
          { id: '00000000-0000-0000-0000-000000000000' },
        )
      ).data,
    ).toEqual({ registration: null });
    expect(
      (
        await sameAsMissing(
          DEVICE_BINDING,
          { id: binding.id },
          { id: '00000000-0000-0000-0000-000000000000' },
        )
      ).data,
    ).toEqual({ deviceBinding: null });
    expect(
      (
        await sameAsMissing(
          CUSTOMER,
          { id: attempt.merchantCustomerId },
          { id: 'no-such-customer' },
        )
      ).data,
    ).toEqual({ customer: null });
    await sameAsMissing(
      REGISTRATION_STATUS,
      { deviceId: attempt.deviceId, ssid: attempt.ssid },
      { deviceId: 'no-device', ssid: attempt.ssid },
    );
    await sameAsMissing(
      CONSENT,
      { spId: owner.spId, tx: 'tx-private' },
      { spId: owner.spId, tx: 'tx-none' },
    );
  });

  it('no mutation of another tenant changes anything, and each answers as for a missing id', async () => {
    const { attempt, binding } = await boundDevice(server.url, owner);
    const open = await issueToken(server.url, owner);
    await graphql(
      server.url,
      REQUEST_CONSENT,
      {
        input: {
          spTransactionID: 'tx-guarded',
          merchantCustomerId: attempt.merchantCustomerId,
          purpose: 'p',
        },
      },
      owner,
    );

    const missingToken = 'UPIACT 00000000000000000000000000000000';
    const decline = await sameAsMissing(
      DECLINE_BINDING,
      { input: { smsContent: open.smsContent } },
      { input: { smsContent: missingToken } },
    );
    expect(decline.data?.declineBinding.errors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND' }),
    ]);
    await sameAsMissing(
      BIND_DEVICE,
      { input: bindInput(open) },
      { input: bindInput({ ...open, smsContent: missingToken }) },
    );
    await sameAsMissing(
      DEREGISTER_DEVICE,
      { input: { deviceBindingId: binding.id } },
      { input: { deviceBindingId: '00000000-0000-0000-0000-000000000000' } },
    );
    await sameAsMissing(
      DECIDE_CONSENT,
      {
        input: {
          spId: owner.spId,
          spTransactionID: 'tx-guarded',
          decision: 'ACCEPT',
          deviceFingerprint: binding.fingerprint,
        },
      },
      {
        input: {
          spId: owner.spId,
          spTransactionID: 'tx-none',
          decision: 'ACCEPT',
          deviceFingerprint: binding.fingerprint,
        },
      },
    );

    expect(
      (await graphql(server.url, REGISTRATION, { id: open.registrationId }, owner)).data
        ?.registration.status,
    ).toBe('PENDING_SMS');
    expect(
      (await graphql(server.url, DEVICE_BINDING, { id: binding.id }, owner)).data?.deviceBinding
        .status,
    ).toBe('ACTIVE');
    expect(
      (await graphql(server.url, CONSENT, { spId: owner.spId, tx: 'tx-guarded' }, owner)).data
        ?.consentTransaction.status,
    ).toBe('TRIGGERED');
  });

  it('a request without credentials, or with a wrong token, is UNAUTHENTICATED', async () => {
    const none = await graphql(server.url, REGISTRATION, { id: 'x' });
    expect(none.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const wrong = await graphql(
      server.url,
      REGISTRATION,
      { id: 'x' },
      { apiKey: owner.apiKey, apiToken: 'not-the-token' },
    );
    expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(wrong.data?.registration ?? null).toBeNull();
  });
});
