import { type GraphqlContext } from '../context';
import { type Registration, toRegistration } from './registration.type';

/** `_entities` for Registration: batched, and null for ids outside the caller's tenant. */
export async function resolveRegistrationReference(
  reference: Pick<Registration, 'id'>,
  context: GraphqlContext,
): Promise<Registration | null> {
  const row = await context.loaders.registration.load(String(reference.id));
  return row && toRegistration(row);
}
