import { Field, ObjectType } from 'type-graphql';
import { ConsentTransaction } from '../types/consent-transaction.type';
import { UserError } from '../types/user-error.type';

@ObjectType('RequestConsentPayload')
export class RequestConsentPayload {
  @Field(() => ConsentTransaction, { nullable: true })
  consentTransaction!: ConsentTransaction | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

@ObjectType('DecideConsentPayload')
export class DecideConsentPayload {
  @Field(() => ConsentTransaction, { nullable: true })
  consentTransaction!: ConsentTransaction | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
