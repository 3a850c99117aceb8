import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { type ConsentTransaction as ConsentTransactionRow } from '../../persistence/entities';
import { ConsentStatus } from '../enums';
import { DateTimeScalar } from '../scalars/date-time';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType('ConsentTransaction', PLAIN_FIELDS)
@Directive('@key(fields: "spId spTransactionID")')
export class ConsentTransaction {
  @Field(() => String)
  spId!: string;

  @Field(() => String)
  spTransactionID!: string;

  @Field(() => ID)
  uaePassTransactionID!: string;

  @Field(() => String)
  merchantCustomerId!: string;

  @Field(() => String)
  purpose!: string;

  @Field(() => ConsentStatus)
  status!: ConsentStatus;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  decidedAt!: Date | null;
}

/** The table spells the ids `...Id`; the contract (and the UAE PASS API) spells them `...ID`. */
export function toConsentTransaction(row: ConsentTransactionRow): ConsentTransaction {
  return {
    spId: row.spId,
    spTransactionID: row.spTransactionId,
    uaePassTransactionID: row.uaePassTransactionId,
    merchantCustomerId: row.merchantCustomerId,
    purpose: row.purpose,
    status: row.status,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    decidedAt: row.decidedAt ?? null,
  };
}
