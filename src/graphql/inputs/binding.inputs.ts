import { Field, ID, InputType } from 'type-graphql';
import { type BindDeviceInput as BindDeviceRequest } from '../../services/binding-service';

@InputType('BindDeviceInput')
export class BindDeviceInput implements BindDeviceRequest {
  @Field(() => String)
  merchantCustomerId!: string;

  @Field(() => String)
  smsContent!: string;

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

  @Field(() => String, {
    description: '12-digit mobile number the customer claims; must match the SMS sender.',
  })
  mobileNumber!: string;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "Deregister this customer's older active bindings on success.",
  })
  deregisterOldBindings?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Same key + same input within 24 h returns the first result; same key + other input is IDEMPOTENCY_KEY_REUSED.',
  })
  idempotencyKey?: string | null;

  @Field(() => String, { nullable: true })
  udfParameters?: string | null;
}

@InputType('DeregisterDeviceInput')
export class DeregisterDeviceInput {
  @Field(() => ID)
  deviceBindingId!: string;
}
