import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** One merchant channel and its credentials. Compared secrets are hashed; HMAC keys are encrypted. */
@Entity({ tableName: 'tenant' })
@Unique({ properties: ['merchantId', 'merchantChannelId'] })
export class Tenant {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 64 })
  merchantId!: string;

  @Property({ type: 'string', length: 64 })
  merchantChannelId!: string;

  @Property({ type: 'string', length: 128, unique: true })
  spId!: string;

  @Property({ type: 'string', length: 64, unique: true })
  apiKey!: string;

  @Property({ type: 'string', length: 64 })
  apiTokenHash!: string;

  @Property({ type: 'string', length: 64, unique: true })
  keyId!: string;

  @Property({ type: 'string', length: 64 })
  keySecretHash!: string;

  @Property({ type: 'text' })
  signingSecretEncrypted!: string;

  @Property({ type: 'string', length: 64 })
  clientSecretHash!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
