import { type GraphqlContext } from '../context';
import { type Customer } from './customer.type';

/**
 * `_entities` for Customer: a customer exists here once the caller's tenant named them in a
 * registration or consent; otherwise null, exactly as for another tenant's customer.
 */
export async function resolveCustomerReference(
  reference: Pick<Customer, 'merchantCustomerId'>,
  context: GraphqlContext,
): Promise<Customer | null> {
  const row = await context.loaders.customer.load(String(reference.merchantCustomerId));
  return row && { merchantCustomerId: row.merchantCustomerId };
}
