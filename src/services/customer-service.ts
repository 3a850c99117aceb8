import { randomUUID } from 'node:crypto';
import { type DeviceBindingStatus } from '../domain/registration-status';
import { isLookupKey } from '../domain/validation';
import {
  ConsentTransaction,
  Customer,
  DeviceBinding,
  Registration,
  RegistrationEvent,
} from '../persistence/entities';
import { type Em } from '../persistence/orm';
import { type Caller, type ServiceDeps } from './deps';

/** Records the customer the first time a tenant names them; a concurrent second insert is ignored. */
export async function ensureCustomer(
  em: Em,
  tenantId: string,
  merchantCustomerId: string,
  at: Date,
): Promise<void> {
  await em
    .createQueryBuilder(Customer)
    .insert({ id: randomUUID(), tenantId, merchantCustomerId, createdAt: at })
    .onConflict(['tenant_id', 'merchant_customer_id'])
    .ignore()
    .execute();
}

/**
 * Batched reads behind the GraphQL field resolvers and federation references. Each takes many
 * keys and answers in one query, so a DataLoader can sit in front of it.
 */
export class CustomerService {
  constructor(private readonly deps: ServiceDeps) {}

  em(): Em {
    return this.deps.orm.em.fork();
  }

  async customersByIds(
    caller: Caller,
    merchantCustomerIds: readonly string[],
  ): Promise<Customer[]> {
    return this.em().find(Customer, {
      tenantId: caller.tenantId,
      merchantCustomerId: { $in: merchantCustomerIds.filter((k) => isLookupKey(k)) },
    });
  }

  async registrationsByIds(caller: Caller, ids: readonly string[]): Promise<Registration[]> {
    return this.em().find(Registration, {
      tenantId: caller.tenantId,
      id: { $in: ids.filter((k) => isLookupKey(k)) },
    });
  }

  async bindingsByIds(caller: Caller, ids: readonly string[]): Promise<DeviceBinding[]> {
    return this.em().find(DeviceBinding, {
      tenantId: caller.tenantId,
      id: { $in: ids.filter((k) => isLookupKey(k)) },
    });
  }

  async bindingsByRegistrationIds(
    caller: Caller,
    registrationIds: readonly string[],
  ): Promise<DeviceBinding[]> {
    return this.em().find(DeviceBinding, {
      tenantId: caller.tenantId,
      registrationId: { $in: registrationIds.filter((k) => isLookupKey(k)) },
    });
  }

  async consentsByKeys(
    caller: Caller,
    keys: readonly { spId: string; spTransactionID: string }[],
  ): Promise<ConsentTransaction[]> {
    keys = keys.filter((k) => isLookupKey(k.spId) && isLookupKey(k.spTransactionID));
    if (keys.length === 0) return [];
    return this.em().find(ConsentTransaction, {
      tenantId: caller.tenantId,
      $or: keys.map((key) => ({ spId: key.spId, spTransactionId: key.spTransactionID })),
    });
  }

  /** History rows of registrations the caller may see; the caller checks ownership of the registrations first. */
  async historyByRegistrationIds(registrationIds: readonly string[]): Promise<RegistrationEvent[]> {
    return this.em().find(
      RegistrationEvent,
      { registrationId: { $in: registrationIds.filter((k) => isLookupKey(k)) } },
      { orderBy: { at: 'asc', id: 'asc' } },
    );
  }

  async bindingsOfCustomers(
    caller: Caller,
    merchantCustomerIds: readonly string[],
    status?: DeviceBindingStatus | null,
  ): Promise<DeviceBinding[]> {
    return this.em().find(
      DeviceBinding,
      {
        tenantId: caller.tenantId,
        merchantCustomerId: { $in: merchantCustomerIds.filter((k) => isLookupKey(k)) },
        ...(status ? { status } : {}),
      },
      { orderBy: { boundAt: 'desc', id: 'asc' } },
    );
  }

  /** Newest first. `last` caps each customer's list; the query is one for all customers. */
  async registrationsOfCustomers(
    caller: Caller,
    merchantCustomerIds: readonly string[],
  ): Promise<Registration[]> {
    return this.em().find(
      Registration,
      {
        tenantId: caller.tenantId,
        merchantCustomerId: { $in: merchantCustomerIds.filter((k) => isLookupKey(k)) },
      },
      { orderBy: { createdAt: 'desc', id: 'desc' } },
    );
  }
}
