import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireCaller } from '../auth';
import { type GraphqlContext } from '../context';
import { BindDeviceInput, DeregisterDeviceInput } from '../inputs/binding.inputs';
import { forgetAll } from '../loaders';
import { BindDevicePayload, DeregisterDevicePayload } from '../payloads/registration.payloads';
import { DeviceBinding, toDeviceBinding } from '../types/device-binding.type';
import { toRegistration } from '../types/registration.type';
import { toUserErrors } from '../types/user-error.type';

@Resolver(() => DeviceBinding)
export class DeviceBindingResolver {
  @Query(() => DeviceBinding, { nullable: true })
  async deviceBinding(
    @Arg('id', () => ID) id: string,
    @Ctx() context: GraphqlContext,
  ): Promise<DeviceBinding | null> {
    requireCaller(context);
    const row = await context.loaders.deviceBinding.load(id);
    return row && toDeviceBinding(row);
  }

  @Mutation(() => BindDevicePayload)
  async bindDevice(
    @Arg('input', () => BindDeviceInput) input: BindDeviceInput,
    @Ctx() context: GraphqlContext,
  ): Promise<BindDevicePayload> {
    const caller = requireCaller(context);
    const outcome = await context.services.bindings.bindDevice(caller, input);
    if (!outcome.ok) {
      return { registration: null, deviceBinding: null, errors: toUserErrors(outcome.errors) };
    }
    forgetAll(context.loaders);
    return {
      registration: toRegistration(outcome.value.registration),
      deviceBinding: toDeviceBinding(outcome.value.deviceBinding),
      errors: [],
    };
  }

  @Mutation(() => DeregisterDevicePayload)
  async deregisterDevice(
    @Arg('input', () => DeregisterDeviceInput) input: DeregisterDeviceInput,
    @Ctx() context: GraphqlContext,
  ): Promise<DeregisterDevicePayload> {
    const caller = requireCaller(context);
    const outcome = await context.services.bindings.deregisterDevice(caller, input.deviceBindingId);
    if (!outcome.ok) return { deviceBinding: null, errors: toUserErrors(outcome.errors) };
    forgetAll(context.loaders);
    return { deviceBinding: toDeviceBinding(outcome.value), errors: [] };
  }
}
