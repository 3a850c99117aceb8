import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A status change written in the same transaction as the change itself; the relay publishes it. */
@Entity({ tableName: 'outbox_event' })
@Index({ properties: ['publishedAt', 'id'] })
export class OutboxEvent {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  /** e.g. registration.status_changed, consent.status_changed, device_binding.changed */
  @Property({ type: 'string', length: 64 })
  topic!: string;

  @Property({ type: 'string', length: 200 })
  aggregateId!: string;

  @Property({ type: 'text' })
  payload!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  publishedAt?: Date | null;
}
