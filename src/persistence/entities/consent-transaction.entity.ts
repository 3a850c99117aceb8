import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { ConsentStatus } from '../../domain/consent-status';

@Entity({ tableName: 'consent_transaction' })
@Unique({ properties: ['spId', 'spTransactionId'] })
@Index({ properties: ['status', 'expiresAt'] })
export class ConsentTransaction {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  @Property({ type: 'string', length: 128 })
  spId!: string;

  @Property({ type: 'string', length: 128 })
  spTransactionId!: string;

  @Property({ type: 'string', length: 36, unique: true })
  uaePassTransactionId!: string;

  @Property({ type: 'string', length: 256 })
  merchantCustomerId!: string;

  @Property({ type: 'text' })
  purpose!: string;

  @Property({ type: 'string', length: 20 })
  status!: ConsentStatus;

  @Property({ type: 'text', nullable: true })
  callbackUrl?: string | null;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null;

  @Property({ type: 'integer', version: true })
  version!: number;
}
