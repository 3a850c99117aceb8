import { Field, ObjectType } from 'type-graphql';
import { DeviceBinding } from '../types/device-binding.type';
import { Registration } from '../types/registration.type';
import { UserError } from '../types/user-error.type';
import { PLAIN_FIELDS } from '../types/plain-fields';

@ObjectType('RequestSmsTokenPayload', PLAIN_FIELDS)
export class RequestSmsTokenPayload {
  @Field(() => Registration, { nullable: true })
  registration!: Registration | null;

  @Field(() => String, {
    nullable: true,
    description: 'The exact SMS body the app must send; returned once, stored only as a hash.',
  })
  smsContent!: string | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

@ObjectType('BindDevicePayload', PLAIN_FIELDS)
export class BindDevicePayload {
  @Field(() => Registration, { nullable: true })
  registration!: Registration | null;

  @Field(() => DeviceBinding, { nullable: true })
  deviceBinding!: DeviceBinding | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

@ObjectType('DeclineBindingPayload', PLAIN_FIELDS)
export class DeclineBindingPayload {
  @Field(() => Registration, { nullable: true })
  registration!: Registration | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

@ObjectType('DeregisterDevicePayload', PLAIN_FIELDS)
export class DeregisterDevicePayload {
  @Field(() => DeviceBinding, { nullable: true })
  deviceBinding!: DeviceBinding | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
