import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** The first answer to an operation sent with an idempotency key, kept for 24 h. */
@Entity({ tableName: 'idempotency_record' })
@Unique({ properties: ['tenantId', 'operation', 'idempotencyKey'] })
export class IdempotencyRecord {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  @Property({ type: 'string', length: 64 })
  operation!: string;

  @Property({ type: 'string', length: 128 })
  idempotencyKey!: string;

  /** sha256 of the canonical request, to tell a retry from a reuse of the key. */
  @Property({ type: 'string', length: 64 })
  requestHash!: string;

  /** JSON of what the first call answered (ids, not whole objects). */
  @Property({ type: 'text' })
  response!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', index: true })
  expiresAt!: Date;
}
