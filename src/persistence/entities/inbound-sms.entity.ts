import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Every SMS the VMN aggregator reported, known token or not; messageId makes delivery idempotent. */
@Entity({ tableName: 'inbound_sms' })
export class InboundSms {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 128, unique: true })
  messageId!: string;

  @Property({ type: 'string', length: 20 })
  sender!: string;

  @Property({ type: 'string', length: 20 })
  recipient!: string;

  @Property({ type: 'string', length: 64, index: true })
  tokenHash!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  registrationId?: string | null;

  /** What the SMS did: the status it caused, or why it changed nothing. */
  @Property({ type: 'string', length: 200 })
  outcome!: string;

  @Property({ type: 'datetime' })
  receivedAt!: Date;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
