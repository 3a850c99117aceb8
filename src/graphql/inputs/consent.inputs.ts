import { Field, InputType, Int } from 'type-graphql';
import {
  type DecideConsentInput as DecideConsentRequest,
  type RequestConsentInput as RequestConsentRequest,
} from '../../services/consent-service';
import { ConsentDecision } from '../enums';

@InputType('RequestConsentInput')
export class RequestConsentInput implements RequestConsentRequest {
  @Field(() => String)
  spTransactionID!: string;

  @Field(() => String)
  merchantCustomerId!: string;

  @Field(() => String)
  purpose!: string;

  @Field(() => Int, {
    nullable: true,
    description: "Seconds until the request expires; the service's default when absent.",
  })
  expiresInSeconds?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'HTTPS endpoint that receives a signed callback when the status settles.',
  })
  callbackUrl?: string | null;
}

@InputType('DecideConsentInput')
export class DecideConsentInput implements DecideConsentRequest {
  @Field(() => String)
  spId!: string;

  @Field(() => String)
  spTransactionID!: string;

  @Field(() => ConsentDecision)
  decision!: ConsentDecision;

  @Field(() => String, {
    description: 'Fingerprint of an ACTIVE binding of the customer the consent is addressed to.',
  })
  deviceFingerprint!: string;
}
