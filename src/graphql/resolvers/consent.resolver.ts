import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { requireCaller } from '../auth';
import { type GraphqlContext } from '../context';
import { DecideConsentInput, RequestConsentInput } from '../inputs/consent.inputs';
import { ConsentKeyArgs } from '../inputs/lookup.args';
import { forgetAll } from '../loaders';
import { DecideConsentPayload, RequestConsentPayload } from '../payloads/consent.payloads';
import { ConsentTransaction, toConsentTransaction } from '../types/consent-transaction.type';
import { toUserErrors } from '../types/user-error.type';

@Resolver(() => ConsentTransaction)
export class ConsentResolver {
  @Query(() => ConsentTransaction, { nullable: true })
  async consentTransaction(
    @Args(() => ConsentKeyArgs) key: ConsentKeyArgs,
    @Ctx() context: GraphqlContext,
  ): Promise<ConsentTransaction | null> {
    requireCaller(context);
    const row = await context.loaders.consentTransaction.load({
      spId: key.spId,
      spTransactionID: key.spTransactionID,
    });
    return row && toConsentTransaction(row);
  }

  @Mutation(() => RequestConsentPayload)
  async requestConsent(
    @Arg('input', () => RequestConsentInput) input: RequestConsentInput,
    @Ctx() context: GraphqlContext,
  ): Promise<RequestConsentPayload> {
    const caller = requireCaller(context);
    const outcome = await context.services.consents.requestConsent(caller, input);
    if (!outcome.ok) return { consentTransaction: null, errors: toUserErrors(outcome.errors) };
    forgetAll(context.loaders);
    return { consentTransaction: toConsentTransaction(outcome.value), errors: [] };
  }

  @Mutation(() => DecideConsentPayload)
  async decideConsent(
    @Arg('input', () => DecideConsentInput) input: DecideConsentInput,
    @Ctx() context: GraphqlContext,
  ): Promise<DecideConsentPayload> {
    const caller = requireCaller(context);
    const outcome = await context.services.consents.decideConsent(caller, input);
    if (!outcome.ok) return { consentTransaction: null, errors: toUserErrors(outcome.errors) };
    forgetAll(context.loaders);
    return { consentTransaction: toConsentTransaction(outcome.value), errors: [] };
  }
}
