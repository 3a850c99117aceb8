import { randomUUID } from 'node:crypto';
import { Registration, Tenant } from '../../../src/persistence/entities';
import { type TenantCredentials } from '../../../src/services/tenant-service';
import { deliverSms, graphql } from '../clients';
import { type Attempt, boundDevice, CUSTOMER_MOBILE, issueToken } from '../flows';
import { DECLINE_BINDING, DEREGISTER_DEVICE, REQUEST_CONSENT } from '../operations';
import { startTestServer, type TestServer } from '../server';

/** A server for the hostile-input suites. */
export async function startHostileServer(): Promise<TestServer> {
  const server = await startTestServer({
    SWEEP_INTERVAL_MS: '1000',
    OUTBOX_POLL_INTERVAL_MS: '500',
  });
  // Generated callbackUrls must never be called: the dispatcher stays off for these suites.
  await server.app.callbacks.stop();
  return server;
}

/** The attacker: every generated call authenticates as this tenant unless told otherwise. */
export interface Attacker {
  tenant: TenantCredentials;
  tenantId: string;
  bound: Attempt;
  bindingId: string;
  fingerprint: string;
  pending: Attempt;
  declined: Attempt;
  consentTx: string;
  registrationIds: string[];
  refNumbers: string[];
}

/** The victim: its data must stay invisible and unchanged. */
export interface Victim {
  tenant: TenantCredentials;
  tenantId: string;
  bound: Attempt;
  bindingId: string;
  fingerprint: string;
  verified: Attempt;
  pending: Attempt;
  consentTx: string;
  uaePassTransactionID: string;
  registrationIds: string[];
  refNumbers: string[];
}

/**
 * Two tenants and their data, as the hostile suites need them. It exists before it is seeded so
 * the generators can be built at load time and read it lazily once beforeAll ran.
 */
export class HostileWorld {
  a = {} as Attacker;
  b = {} as Victim;

  get aAttempts(): Attempt[] {
    return [this.a.bound, this.a.pending, this.a.declined];
  }

  get bAttempts(): Attempt[] {
    return [this.b.bound, this.b.verified, this.b.pending];
  }

  /** Strings only B's data holds: none may appear in an answer unless the request sent it. */
  bPrivate(): string[] {
    return [
      ...this.b.registrationIds,
      ...this.b.refNumbers,
      this.b.bindingId,
      this.b.fingerprint,
      this.b.uaePassTransactionID,
      this.b.consentTx,
      this.b.tenantId,
      ...this.bAttempts.flatMap((a) => [a.smsContent, a.deviceId, a.ssid, a.merchantCustomerId]),
    ];
  }

  /**
   * B: a bound device, a verified and a pending attempt, a consent awaiting decision. A: a bound
   * attempt whose binding is deregistered (A has no active binding, so none of its consents can
   * be triggered), a pending and a declined attempt, a consent that failed.
   */
  async seed(server: TestServer): Promise<void> {
    const url = server.url;
    // The longest spId a tenant may have (128 characters): keys built from it must still fit.
    const A = await server.app.tenants.createTenant({
      merchantId: 'ATTACKER',
      merchantChannelId: `ATT${process.pid}`,
      spId: `sp.${'a'.repeat(125)}`,
    });
    const B = await server.newTenant('VICTIM');
    const tenantId = async (t: TenantCredentials) =>
      (
        await server.app.orm.em
          .fork()
          .findOneOrFail(Tenant, { merchantChannelId: t.merchantChannelId })
      ).id;
    const aTenantId = await tenantId(A);

    const bBound = await boundDevice(url, B);
    const bVerified = await issueToken(url, B);
    expect(
      (await deliverSms(url, { from: CUSTOMER_MOBILE, content: bVerified.smsContent })).status,
    ).toBe(200);
    const bPending = await issueToken(url, B);
    const bConsentTx = `tx-b-${randomUUID()}`;
    const bConsent = await graphql(
      url,
      REQUEST_CONSENT,
      {
        input: {
          spTransactionID: bConsentTx,
          merchantCustomerId: bBound.attempt.merchantCustomerId,
          purpose: 'pay',
          expiresInSeconds: 86_400,
        },
      },
      B,
    );
    expect(bConsent.data?.requestConsent.consentTransaction.status).toBe('TRIGGERED');

    const aBound = await boundDevice(url, A);
    const deregistered = await graphql(
      url,
      DEREGISTER_DEVICE,
      { input: { deviceBindingId: aBound.binding.id } },
      A,
    );
    expect(deregistered.data?.deregisterDevice.deviceBinding.status).toBe('DEREGISTERED');
    const aPending = await issueToken(url, A);
    const aDeclined = await issueToken(url, A);
    await graphql(url, DECLINE_BINDING, { input: { smsContent: aDeclined.smsContent } }, A);
    const aConsentTx = `tx-a-${randomUUID()}`;
    const aConsent = await graphql(
      url,
      REQUEST_CONSENT,
      {
        input: {
          spTransactionID: aConsentTx,
          merchantCustomerId: aBound.attempt.merchantCustomerId,
          purpose: 'pay',
        },
      },
      A,
    );
    expect(aConsent.data?.requestConsent.consentTransaction.status).toBe('INIT_FAILED');

    const registrations = (attempts: Attempt[]) =>
      Promise.all(
        attempts.map((a) =>
          server.app.orm.em.fork().findOneOrFail(Registration, { id: a.registrationId }),
        ),
      );
    const aRegs = await registrations([aBound.attempt, aPending, aDeclined]);
    const bRegs = await registrations([bBound.attempt, bVerified, bPending]);
    this.a = {
      tenant: A,
      tenantId: aTenantId,
      bound: aBound.attempt,
      bindingId: aBound.binding.id,
      fingerprint: aBound.binding.fingerprint,
      pending: aPending,
      declined: aDeclined,
      consentTx: aConsentTx,
      registrationIds: aRegs.map((r) => r.id),
      refNumbers: aRegs.map((r) => r.refNumber),
    };
    this.b = {
      tenant: B,
      tenantId: await tenantId(B),
      bound: bBound.attempt,
      bindingId: bBound.binding.id,
      fingerprint: bBound.binding.fingerprint,
      verified: bVerified,
      pending: bPending,
      consentTx: bConsentTx,
      uaePassTransactionID: bConsent.data?.requestConsent.consentTransaction.uaePassTransactionID,
      registrationIds: bRegs.map((r) => r.id),
      refNumbers: bRegs.map((r) => r.refNumber),
    };
  }
}

/**
 * The world of the suite that imports this module (jest gives each test file its own modules):
 * the generators read it lazily, the suite seeds it in beforeAll.
 */
export const world = new HostileWorld();
