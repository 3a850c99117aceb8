import { Field, ObjectType } from 'type-graphql';
import { ConsentTransaction } from '../types/consent-transaction.type';
import { UserError } from '../types/user-error.type';
import { PLAIN_FIELDS } from '../types/plain-fields';

@ObjectType('RequestConsentPayload', PLAIN_FIELDS)
export class RequestConsentPayload {
  @Field(() => ConsentTransaction, { nullable: true })
  consentTransaction!: ConsentTransaction | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

@ObjectType('DecideConsentPayload', PLAIN_FIELDS)
export class DecideConsentPayload {
  @Field(() => ConsentTransaction, { nullable: true })
  consentTransaction!: ConsentTransaction | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
