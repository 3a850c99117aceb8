import { randomUUID } from 'node:crypto';
import { type ConsentStatus, isFinalConsentStatus } from '../domain/consent-status';
import { CallbackDelivery, type ConsentTransaction } from '../persistence/entities';
import { type Em } from '../persistence/orm';

/** What the service provider's callback receives; the field names are the status API's. */
export interface ConsentCallbackBody {
  spTransactionID: string;
  uaePassTransactionID: string;
  status: ConsentStatus;
}

/**
 * Queues the callback of a consent that just settled, in the caller's transaction: the delivery
 * commits with the final status or not at all, so no restart can lose it. Anything else (not yet
 * final, or no callbackUrl) queues nothing.
 */
export function queueConsentCallback(em: Em, consent: ConsentTransaction, at: Date): void {
  if (!consent.callbackUrl || !isFinalConsentStatus(consent.status)) return;
  const body: ConsentCallbackBody = {
    spTransactionID: consent.spTransactionId,
    uaePassTransactionID: consent.uaePassTransactionId,
    status: consent.status,
  };
  const delivery = em.create(CallbackDelivery, {
    id: randomUUID(),
    tenantId: consent.tenantId,
    consentId: consent.id,
    url: consent.callbackUrl,
    payload: JSON.stringify(body),
    attempts: 0,
    nextAttemptAt: at,
    lastAttemptAt: null,
    lastStatus: null,
    lastError: null,
    deliveredAt: null,
    givenUpAt: null,
    createdAt: at,
  });
  em.persist(delivery);
}
