import { createHash, randomUUID } from 'node:crypto';
import { type Em } from '../persistence/orm';
import { OutboxEvent } from '../persistence/entities';
import { appendRow } from './appended-rows';

export const TOPICS = {
  registration: 'registration.status_changed',
  consent: 'consent.status_changed',
  deviceBinding: 'device_binding.status_changed',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export interface StatusChange {
  topic: Topic;
  tenantId: string;
  /** Registration id, device binding id, or `spId:spTransactionID` for consents. */
  aggregateId: string;
  status: string;
  at: Date;
}

/** Queues the event in the caller's transaction: it commits with the change or not at all. */
export function recordStatusChange(em: Em, change: StatusChange): void {
  appendRow(em, OutboxEvent, {
    tenantId: change.tenantId,
    topic: change.topic,
    aggregateId: change.aggregateId,
    payload: JSON.stringify({
      eventId: randomUUID(),
      aggregateId: change.aggregateId,
      status: change.status,
      at: change.at.toISOString(),
    }),
    createdAt: change.at,
  });
}

/** Fits the 200-character column: long keys (spId up to 128 + spTransactionID up to 128) are hashed. */
export function consentAggregateId(spId: string, spTransactionId: string): string {
  const key = `${spId}:${spTransactionId}`;
  return key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}
