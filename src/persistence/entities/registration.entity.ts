import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { RegistrationStatus } from '../../domain/registration-status';

/** One SMS-token device-binding attempt. Only a hash of the token is kept. */
@Entity({ tableName: 'registration' })
@Index({ properties: ['tenantId', 'deviceId', 'createdAt'] })
@Index({ properties: ['tenantId', 'merchantCustomerId', 'createdAt'] })
@Index({ properties: ['status', 'expiresAt'] })
export class Registration {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  @Property({ type: 'string', length: 20, unique: true })
  refNumber!: string;

  @Property({ type: 'string', length: 256 })
  merchantCustomerId!: string;

  @Property({ type: 'string', length: 128 })
  deviceId!: string;

  @Property({ type: 'string', length: 32 })
  os!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  ssid?: string | null;

  @Property({ type: 'string', length: 20, nullable: true })
  expectedMobileNumber?: string | null;

  @Property({ type: 'string', length: 64, unique: true })
  tokenHash!: string;

  @Property({ type: 'string', length: 20 })
  vmn!: string;

  @Property({ type: 'string', length: 20 })
  status!: RegistrationStatus;

  @Property({ type: 'text', nullable: true })
  statusReason?: string | null;

  /** The SMS sender as the VMN aggregator reported it (canonical). */
  @Property({ type: 'string', length: 20, nullable: true })
  mobileNumber?: string | null;

  @Property({ type: 'text', nullable: true })
  udfParameters?: string | null;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;

  /** Optimistic lock: of two concurrent transitions, the second one's update matches no row. */
  @Property({ type: 'integer', version: true })
  version!: number;
}
