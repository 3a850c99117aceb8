import { Directive, Field, ID, ObjectType } from 'type-graphql';
import {
  type Registration as RegistrationRow,
  type RegistrationEvent as RegistrationEventRow,
} from '../../persistence/entities';
import { RegistrationStatus } from '../enums';
import { DateTimeScalar } from '../scalars/date-time';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType('Registration', PLAIN_FIELDS)
@Directive('@key(fields: "id")')
export class Registration {
  @Field(() => ID)
  id!: string;

  @Field(() => String, {
    description: 'Numeric reference number a legacy caller can poll with (refNumber).',
  })
  refNumber!: string;

  @Field(() => String)
  merchantCustomerId!: string;

  @Field(() => String)
  deviceId!: string;

  @Field(() => String, { description: 'The VMN the app must send the SMS to.' })
  vmn!: string;

  @Field(() => RegistrationStatus)
  status!: RegistrationStatus;

  @Field(() => String, {
    nullable: true,
    description: 'Why the status is what it is, in words (e.g. the decline reason).',
  })
  statusReason!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Sender number as reported by the VMN aggregator, once the SMS arrived.',
  })
  mobileNumber!: string | null;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  // deviceBinding and history are field resolvers (registration.resolver.ts).
}

@ObjectType('RegistrationEvent', PLAIN_FIELDS)
export class RegistrationEvent {
  @Field(() => RegistrationStatus)
  status!: RegistrationStatus;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => DateTimeScalar)
  at!: Date;
}

export function toRegistration(row: RegistrationRow): Registration {
  return {
    id: row.id,
    refNumber: row.refNumber,
    merchantCustomerId: row.merchantCustomerId,
    deviceId: row.deviceId,
    vmn: row.vmn,
    status: row.status,
    statusReason: row.statusReason ?? null,
    mobileNumber: row.mobileNumber ?? null,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toRegistrationEvent(row: RegistrationEventRow): RegistrationEvent {
  return { status: row.status, reason: row.reason ?? null, at: row.at };
}
