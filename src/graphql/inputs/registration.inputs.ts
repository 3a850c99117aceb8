import { Field, InputType } from 'type-graphql';
import {
  type DeclineBindingInput as DeclineBindingRequest,
  type RequestSmsTokenInput as RequestSmsTokenRequest,
} from '../../services/registration-service';

// Inputs carry no validators: the services check every field and answer INVALID_INPUT as a
// UserError, which a thrown validation error could not be.

@InputType('RequestSmsTokenInput')
export class RequestSmsTokenInput implements RequestSmsTokenRequest {
  @Field(() => String)
  merchantCustomerId!: string;

  @Field(() => String)
  deviceId!: string;

  @Field(() => String)
  os!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'SIM identifier, when the app knows it before binding (legacy polling looks attempts up by deviceId + ssid).',
  })
  ssid?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '12-digit mobile number the SMS is expected from, when the app knows it.',
  })
  expectedMobileNumber?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Stringified JSON object of merchant-defined parameters, echoed back.',
  })
  udfParameters?: string | null;
}

@InputType('DeclineBindingInput')
export class DeclineBindingInput implements DeclineBindingRequest {
  @Field(() => String)
  smsContent!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => String, { nullable: true })
  udfParameters?: string | null;
}
