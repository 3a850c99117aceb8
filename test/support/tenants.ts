import { randomBytes, randomUUID } from 'node:crypto';
import { type Orm } from '../../src/persistence/orm';
import { type Caller, callerOf } from '../../src/services';
import { TenantService } from '../../src/services/tenant-service';

/** A tenant made the way the CLI makes one, as the Caller the services act for. */
export async function seedCaller(orm: Orm): Promise<Caller> {
  const tenants = new TenantService({ orm, secretsKey: randomBytes(32) });
  const merchantChannelId = `CH-${randomUUID().slice(0, 8)}`;
  await tenants.createTenant({ merchantId: 'SEEDED', merchantChannelId });
  const tenant = await tenants.findByMerchant('SEEDED', merchantChannelId);
  if (!tenant) throw new Error('the seeded tenant is missing');
  return callerOf(tenant);
}
