import { randomUUID } from 'node:crypto';
import { ConsentDecision, ConsentStatus, statusForDecision } from '../domain/consent-status';
import { fail, ok, type Outcome, UserErrorCode, userError } from '../domain/errors';
import { DeviceBindingStatus } from '../domain/registration-status';
import { InputCheck, isLookupKey, LIMITS } from '../domain/validation';
import { queueConsentCallback } from './consent-callback-queue';
import { ConsentTransaction, DeviceBinding } from '../persistence/entities';
import { type Em } from '../persistence/orm';
import { ensureCustomer } from './customer-service';
import { type Caller, type ServiceDeps } from './deps';
import { consentAggregateId, recordStatusChange, TOPICS } from './outbox';
import { inTransaction } from './transactions';

export interface RequestConsentInput {
  spTransactionID: string;
  merchantCustomerId: string;
  purpose: string;
  expiresInSeconds?: number | null;
  callbackUrl?: string | null;
}

export interface DecideConsentInput {
  spId: string;
  spTransactionID: string;
  decision: ConsentDecision;
  deviceFingerprint: string;
}

const MAX_CONSENT_TTL_SECONDS = 7 * 24 * 60 * 60;

export class ConsentService {
  constructor(private readonly deps: ServiceDeps) {}

  async requestConsent(
    caller: Caller,
    input: RequestConsentInput,
  ): Promise<Outcome<ConsentTransaction>> {
    const check = new InputCheck()
      .text('spTransactionID', input.spTransactionID, LIMITS.spTransactionID)
      .merchantCustomerId('merchantCustomerId', input.merchantCustomerId)
      .text('purpose', input.purpose, LIMITS.purpose)
      .integer('expiresInSeconds', input.expiresInSeconds, 1, MAX_CONSENT_TTL_SECONDS)
      .url('callbackUrl', input.callbackUrl, {
        plainHttp: this.deps.config.env !== 'production',
        privateHosts: this.deps.config.callbackPrivateNetworks,
      });
    if (check.errors.length > 0) return fail(...check.errors);

    return inTransaction(this.deps.orm, async (em) => {
      const now = this.deps.clock();
      const existing = await em.count(ConsentTransaction, {
        spId: caller.spId,
        spTransactionId: input.spTransactionID,
      });
      if (existing > 0) {
        return fail(
          userError(
            UserErrorCode.DUPLICATE_TRANSACTION,
            'This spTransactionID was already used',
            'spTransactionID',
          ),
        );
      }
      ensureCustomer(em, caller.tenantId, input.merchantCustomerId, now);
      const bound = await em.count(DeviceBinding, {
        tenantId: caller.tenantId,
        merchantCustomerId: input.merchantCustomerId,
        status: DeviceBindingStatus.ACTIVE,
      });
      const ttl = input.expiresInSeconds ?? this.deps.config.consentTtlSeconds;
      const consent = em.create(ConsentTransaction, {
        id: randomUUID(),
        tenantId: caller.tenantId,
        spId: caller.spId,
        spTransactionId: input.spTransactionID,
        uaePassTransactionId: randomUUID(),
        merchantCustomerId: input.merchantCustomerId,
        purpose: input.purpose,
        // Without an active binding there is no device to ask: the request fails at once.
        status: bound > 0 ? ConsentStatus.TRIGGERED : ConsentStatus.INIT_FAILED,
        callbackUrl: input.callbackUrl ?? null,
        expiresAt: new Date(now.getTime() + ttl * 1000),
        createdAt: now,
        decidedAt: null,
        version: 1,
      });
      recordConsentStatus(em, consent, now);
      return ok(consent);
    });
  }

  async decideConsent(
    caller: Caller,
    input: DecideConsentInput,
  ): Promise<Outcome<ConsentTransaction>> {
    const check = new InputCheck()
      .text('spId', input.spId, 128)
      .text('spTransactionID', input.spTransactionID, LIMITS.spTransactionID)
      .text('deviceFingerprint', input.deviceFingerprint, 64);
    if (!Object.values(ConsentDecision).includes(input.decision)) {
      check.errors.push(
        userError(UserErrorCode.INVALID_INPUT, 'decision must be ACCEPT or REJECT', 'decision'),
      );
    }
    if (check.errors.length > 0) return fail(...check.errors);

    return inTransaction(this.deps.orm, async (em) => {
      const now = this.deps.clock();
      const consent = await this.findScoped(em, caller, input.spId, input.spTransactionID);
      if (!consent)
        return fail(
          userError(
            UserErrorCode.NOT_FOUND,
            'No consent transaction has this id',
            'spTransactionID',
          ),
        );
      if (
        consent.status === ConsentStatus.EXPIRED ||
        (consent.status === ConsentStatus.TRIGGERED && now > consent.expiresAt)
      ) {
        return fail(
          userError(
            UserErrorCode.CONSENT_EXPIRED,
            'The consent request has expired',
            'spTransactionID',
          ),
        );
      }
      if (consent.status !== ConsentStatus.TRIGGERED) {
        return fail(
          userError(
            UserErrorCode.CONSENT_ALREADY_DECIDED,
            `The consent request is already ${consent.status}`,
            'spTransactionID',
          ),
        );
      }
      const device = await em.count(DeviceBinding, {
        tenantId: caller.tenantId,
        merchantCustomerId: consent.merchantCustomerId,
        fingerprint: input.deviceFingerprint,
        status: DeviceBindingStatus.ACTIVE,
      });
      if (device === 0) {
        return fail(
          userError(
            UserErrorCode.DEVICE_NOT_BOUND,
            'No active binding of this customer has this fingerprint',
            'deviceFingerprint',
          ),
        );
      }
      consent.status = statusForDecision(input.decision);
      consent.decidedAt = now;
      recordConsentStatus(em, consent, now);
      return ok(consent);
    });
  }

  async findConsent(
    caller: Caller,
    spId: string,
    spTransactionID: string,
  ): Promise<ConsentTransaction | null> {
    if (!isLookupKey(spId) || !isLookupKey(spTransactionID)) return null;
    return this.findScoped(this.deps.orm.em.fork(), caller, spId, spTransactionID);
  }

  private findScoped(em: Em, caller: Caller, spId: string, spTransactionId: string) {
    return em.findOne(ConsentTransaction, { tenantId: caller.tenantId, spId, spTransactionId });
  }
}

export function recordConsentStatus(em: Em, consent: ConsentTransaction, at: Date): void {
  recordStatusChange(em, {
    topic: TOPICS.consent,
    tenantId: consent.tenantId,
    aggregateId: consentAggregateId(consent.spId, consent.spTransactionId),
    status: consent.status,
    at,
  });
  queueConsentCallback(em, consent, at);
}
