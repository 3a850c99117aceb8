import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { type DeviceBinding as DeviceBindingRow } from '../../persistence/entities';
import { DeviceBindingStatus } from '../enums';
import { DateTimeScalar } from '../scalars/date-time';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType('DeviceBinding', PLAIN_FIELDS)
@Directive('@key(fields: "id")')
export class DeviceBinding {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  merchantCustomerId!: string;

  @Field(() => String)
  deviceId!: string;

  @Field(() => String)
  ssid!: string;

  @Field(() => String)
  manufacturer!: string;

  @Field(() => String)
  model!: string;

  @Field(() => String)
  os!: string;

  @Field(() => String)
  osVersion!: string;

  @Field(() => String)
  packageName!: string;

  @Field(() => String)
  mobileNumber!: string;

  @Field(() => String, {
    description: 'SHA-256 over the device id, SIM (ssid) and customer: later calls present it.',
  })
  fingerprint!: string;

  @Field(() => DeviceBindingStatus)
  status!: DeviceBindingStatus;

  @Field(() => DateTimeScalar)
  boundAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  deregisteredAt!: Date | null;
}

export function toDeviceBinding(row: DeviceBindingRow): DeviceBinding {
  return {
    id: row.id,
    merchantCustomerId: row.merchantCustomerId,
    deviceId: row.deviceId,
    ssid: row.ssid,
    manufacturer: row.manufacturer,
    model: row.model,
    os: row.os,
    osVersion: row.osVersion,
    packageName: row.packageName,
    mobileNumber: row.mobileNumber,
    fingerprint: row.fingerprint,
    status: row.status,
    boundAt: row.boundAt,
    deregisteredAt: row.deregisteredAt ?? null,
  };
}
