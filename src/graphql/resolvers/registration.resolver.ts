import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireCaller } from '../auth';
import { type GraphqlContext } from '../context';
import { DeviceLookupArgs } from '../inputs/lookup.args';
import { DeclineBindingInput, RequestSmsTokenInput } from '../inputs/registration.inputs';
import { forgetAll } from '../loaders';
import { DeclineBindingPayload, RequestSmsTokenPayload } from '../payloads/registration.payloads';
import { DeviceBinding, toDeviceBinding } from '../types/device-binding.type';
import {
  Registration,
  RegistrationEvent,
  toRegistration,
  toRegistrationEvent,
} from '../types/registration.type';
import { toUserErrors } from '../types/user-error.type';

@Resolver(() => Registration)
export class RegistrationResolver {
  @Query(() => Registration, { nullable: true })
  async registration(
    @Arg('id', () => ID) id: string,
    @Ctx() context: GraphqlContext,
  ): Promise<Registration | null> {
    requireCaller(context);
    const row = await context.loaders.registration.load(id);
    return row && toRegistration(row);
  }

  @Query(() => Registration, {
    nullable: true,
    description:
      'What the legacy polling API answers: the newest attempt for this device whose SIM is this ssid (or not known yet).',
  })
  async registrationStatus(
    @Args(() => DeviceLookupArgs) { deviceId, ssid }: DeviceLookupArgs,
    @Ctx() context: GraphqlContext,
  ): Promise<Registration | null> {
    const caller = requireCaller(context);
    const row = await context.services.registrations.findLatestForDevice(caller, deviceId, ssid);
    return row && toRegistration(row);
  }

  @FieldResolver(() => DeviceBinding, {
    nullable: true,
    description: 'The binding this attempt produced, once BOUND.',
  })
  async deviceBinding(
    @Root() registration: Registration,
    @Ctx() context: GraphqlContext,
  ): Promise<DeviceBinding | null> {
    const row = await context.loaders.bindingOfRegistration.load(registration.id);
    return row && toDeviceBinding(row);
  }

  @FieldResolver(() => [RegistrationEvent], {
    description: 'Every status this attempt went through, oldest first.',
  })
  async history(
    @Root() registration: Registration,
    @Ctx() context: GraphqlContext,
  ): Promise<RegistrationEvent[]> {
    const rows = await context.loaders.historyOfRegistration.load(registration.id);
    return rows.map(toRegistrationEvent);
  }

  @Mutation(() => RequestSmsTokenPayload)
  async requestSmsToken(
    @Arg('input', () => RequestSmsTokenInput) input: RequestSmsTokenInput,
    @Ctx() context: GraphqlContext,
  ): Promise<RequestSmsTokenPayload> {
    const caller = requireCaller(context);
    const outcome = await context.services.registrations.requestSmsToken(caller, input);
    if (!outcome.ok) {
      return { registration: null, smsContent: null, errors: toUserErrors(outcome.errors) };
    }
    forgetAll(context.loaders);
    const { registration, smsContent } = outcome.value;
    return { registration: toRegistration(registration), smsContent, errors: [] };
  }

  @Mutation(() => DeclineBindingPayload)
  async declineBinding(
    @Arg('input', () => DeclineBindingInput) input: DeclineBindingInput,
    @Ctx() context: GraphqlContext,
  ): Promise<DeclineBindingPayload> {
    const caller = requireCaller(context);
    const outcome = await context.services.registrations.declineBinding(caller, input);
    if (!outcome.ok) return { registration: null, errors: toUserErrors(outcome.errors) };
    forgetAll(context.loaders);
    return { registration: toRegistration(outcome.value), errors: [] };
  }
}
