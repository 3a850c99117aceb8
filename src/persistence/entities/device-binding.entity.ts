import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { DeviceBindingStatus } from '../../domain/registration-status';

@Entity({ tableName: 'device_binding' })
@Index({ properties: ['tenantId', 'merchantCustomerId', 'status'] })
@Index({ properties: ['tenantId', 'fingerprint'] })
export class DeviceBinding {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  @Property({ type: 'string', length: 36, unique: true })
  registrationId!: string;

  @Property({ type: 'string', length: 256 })
  merchantCustomerId!: string;

  @Property({ type: 'string', length: 128 })
  deviceId!: string;

  @Property({ type: 'string', length: 64 })
  ssid!: string;

  @Property({ type: 'string', length: 64 })
  manufacturer!: string;

  @Property({ type: 'string', length: 64 })
  model!: string;

  @Property({ type: 'string', length: 32 })
  os!: string;

  @Property({ type: 'string', length: 64 })
  osVersion!: string;

  @Property({ type: 'string', length: 255 })
  packageName!: string;

  @Property({ type: 'string', length: 20 })
  mobileNumber!: string;

  @Property({ type: 'string', length: 64 })
  fingerprint!: string;

  @Property({ type: 'string', length: 20 })
  status!: DeviceBindingStatus;

  @Property({ type: 'datetime' })
  boundAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  deregisteredAt?: Date | null;

  @Property({ type: 'integer', version: true })
  version!: number;
}
