import { Arg, Args, ID, Resolver, Root, Subscription } from 'type-graphql';
import { isFinalConsentStatus } from '../../domain/consent-status';
import { isFinalRegistrationStatus } from '../../domain/registration-status';
import { consentAggregateId, TOPICS } from '../../services/outbox';
import { requireCaller } from '../auth';
import { type GraphqlContext } from '../context';
import { ConsentStatus, RegistrationStatus } from '../enums';
import { notFound } from '../errors';
import { ConsentKeyArgs } from '../inputs/lookup.args';
import { forgetAll } from '../loaders';
import { ConsentTransaction, toConsentTransaction } from '../types/consent-transaction.type';
import { Registration, toRegistration } from '../types/registration.type';
import { statusStream } from '../status-stream';

interface SubscribeData<Args> {
  args: Args;
  context: GraphqlContext;
}

const FIRST_THEN_CHANGES =
  'First event: the current state. Then one event per status change, until a final status.';

async function registrationChanges({ args, context }: SubscribeData<{ id: string }>) {
  const caller = requireCaller(context);
  const { registrations, events } = context.services;
  const stream = await statusStream<Registration>({
    events,
    concerns: (event) =>
      event.topic === TOPICS.registration &&
      event.tenantId === caller.tenantId &&
      event.aggregateId === args.id,
    read: async () => {
      const row = await registrations.findRegistration(caller, args.id);
      return row && toRegistration(row);
    },
    statusOf: (registration) => registration.status,
    isFinal: (status) => isFinalRegistrationStatus(status as RegistrationStatus),
    beforeNext: () => forgetAll(context.loaders),
  });
  if (!stream) throw notFound('Registration');
  return stream;
}

async function consentChanges({ args, context }: SubscribeData<ConsentKeyArgs>) {
  const caller = requireCaller(context);
  const { consents, events } = context.services;
  const aggregateId = consentAggregateId(args.spId, args.spTransactionID);
  const stream = await statusStream<ConsentTransaction>({
    events,
    concerns: (event) =>
      event.topic === TOPICS.consent &&
      event.tenantId === caller.tenantId &&
      event.aggregateId === aggregateId,
    read: async () => {
      const row = await consents.findConsent(caller, args.spId, args.spTransactionID);
      return row && toConsentTransaction(row);
    },
    statusOf: (consent) => consent.status,
    isFinal: (status) => isFinalConsentStatus(status as ConsentStatus),
    beforeNext: () => forgetAll(context.loaders),
  });
  if (!stream) throw notFound('Consent transaction');
  return stream;
}

/** Each subscription streams snapshots itself (statusStream); the methods only pass them on. */
@Resolver()
export class SubscriptionResolver {
  @Subscription(() => Registration, {
    description: FIRST_THEN_CHANGES,
    subscribe: registrationChanges,
  })
  registrationStatusChanged(
    @Root() registration: Registration,
    @Arg('id', () => ID) _id: string,
  ): Registration {
    return registration;
  }

  @Subscription(() => ConsentTransaction, {
    description: FIRST_THEN_CHANGES,
    subscribe: consentChanges,
  })
  consentStatusChanged(
    @Root() consent: ConsentTransaction,
    @Args(() => ConsentKeyArgs) _key: ConsentKeyArgs,
  ): ConsentTransaction {
    return consent;
  }
}
