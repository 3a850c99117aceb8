import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One settled consent's callback to its service provider, written in the transaction that settled
 * the consent, so a crash or restart cannot lose it. `nextAttemptAt` is null once the row is done
 * (delivered or given up): the dispatcher only ever reads rows whose time has come.
 */
@Entity({ tableName: 'callback_delivery' })
@Index({ properties: ['nextAttemptAt'] })
export class CallbackDelivery {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  /** A consent settles once, so it has at most one callback. */
  @Property({ type: 'string', length: 36, unique: true })
  consentId!: string;

  @Property({ type: 'text' })
  url!: string;

  /** The exact JSON bytes sent and signed, so every attempt carries the same body. */
  @Property({ type: 'text' })
  payload!: string;

  @Property({ type: 'integer' })
  attempts!: number;

  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  lastAttemptAt?: Date | null;

  /** The HTTP status of the last answer; null when there was none (timeout, refused connection). */
  @Property({ type: 'integer', nullable: true })
  lastStatus?: number | null;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime', nullable: true })
  deliveredAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  givenUpAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
