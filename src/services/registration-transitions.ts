import { randomUUID } from 'node:crypto';
import { canTransition, type RegistrationStatus } from '../domain/registration-status';
import { type Em } from '../persistence/orm';
import { type Registration, RegistrationEvent } from '../persistence/entities';
import { appendRow } from './appended-rows';
import { recordStatusChange, TOPICS } from './outbox';

/** Appends a status to a registration's history and queues its event, in the caller's transaction. */
export function recordRegistrationStatus(
  em: Em,
  reg: Registration,
  reason: string | null,
  at: Date,
): void {
  appendRow(em, RegistrationEvent, {
    id: randomUUID(),
    registrationId: reg.id,
    status: reg.status,
    reason,
    at,
  });
  recordStatusChange(em, {
    topic: TOPICS.registration,
    tenantId: reg.tenantId,
    aggregateId: reg.id,
    status: reg.status,
    at,
  });
}

/** The one way a registration changes status. The version column makes a concurrent second change fail at flush. */
export function moveRegistration(
  em: Em,
  reg: Registration,
  to: RegistrationStatus,
  reason: string,
  at: Date,
): void {
  if (!canTransition(reg.status, to)) {
    throw new Error(`impossible registration transition ${reg.status} -> ${to}`);
  }
  reg.status = to;
  reg.statusReason = reason;
  reg.updatedAt = at;
  recordRegistrationStatus(em, reg, reason, at);
}
