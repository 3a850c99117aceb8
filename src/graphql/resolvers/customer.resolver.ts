import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { requireCaller } from '../auth';
import { type GraphqlContext } from '../context';
import { DeviceBindingStatus } from '../enums';
import { badUserInput } from '../errors';
import { Customer } from '../types/customer.type';
import { DeviceBinding, toDeviceBinding } from '../types/device-binding.type';
import { Registration, toRegistration } from '../types/registration.type';

const DEFAULT_LAST = 10;
const MAX_LAST = 100;

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => Customer, { nullable: true })
  async customer(
    @Arg('merchantCustomerId', () => ID) merchantCustomerId: string,
    @Ctx() context: GraphqlContext,
  ): Promise<Customer | null> {
    requireCaller(context);
    const row = await context.loaders.customer.load(merchantCustomerId);
    return row && { merchantCustomerId: row.merchantCustomerId };
  }

  @FieldResolver(() => [DeviceBinding], {
    description: "The customer's device bindings, newest first; only those in `status` if given.",
  })
  async devices(
    @Root() customer: Customer,
    @Arg('status', () => DeviceBindingStatus, { nullable: true })
    status: DeviceBindingStatus | null,
    @Ctx() context: GraphqlContext,
  ): Promise<DeviceBinding[]> {
    // One loader for every status: filtering here keeps it one query per request.
    const rows = await context.loaders.bindingsOfCustomer.load(customer.merchantCustomerId);
    return rows.filter((row) => !status || row.status === status).map(toDeviceBinding);
  }

  @FieldResolver(() => [Registration], {
    description: `The customer's newest \`last\` registration attempts (at most ${MAX_LAST}), newest first.`,
  })
  async registrations(
    @Root() customer: Customer,
    @Arg('last', () => Int, { nullable: true, defaultValue: DEFAULT_LAST }) last: number | null,
    @Ctx() context: GraphqlContext,
  ): Promise<Registration[]> {
    const count = last ?? DEFAULT_LAST;
    if (count < 0 || count > MAX_LAST) {
      throw badUserInput(`last must be between 0 and ${MAX_LAST}`, 'last');
    }
    const rows = await context.loaders.registrationsOfCustomer.load(customer.merchantCustomerId);
    return rows.slice(0, count).map(toRegistration);
  }
}
