import { type GraphqlContext } from '../context';
import { type DeviceBinding, toDeviceBinding } from './device-binding.type';

/** `_entities` for DeviceBinding: batched, and null for ids outside the caller's tenant. */
export async function resolveDeviceBindingReference(
  reference: Pick<DeviceBinding, 'id'>,
  context: GraphqlContext,
): Promise<DeviceBinding | null> {
  const row = await context.loaders.deviceBinding.load(String(reference.id));
  return row && toDeviceBinding(row);
}
