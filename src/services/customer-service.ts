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
import { type LeanReads, leanReadsOf } from '../persistence/lean-reads';
import { type Em } from '../persistence/orm';
import { appendRow } from './appended-rows';
import { type Caller, type ServiceDeps } from './deps';

/**
 * Records the customer the first time a tenant names them, with the caller's transaction; a
 * concurrent second insert is ignored.
 */
export function ensureCustomer(
  em: Em,
  tenantId: string,
  merchantCustomerId: string,
  at: Date,
): void {
  appendRow(em, Customer, { id: randomUUID(), tenantId, merchantCustomerId, createdAt: at }, [
    'tenant_id',
    'merchant_customer_id',
  ]);
}

/**
 * Batched reads behind the GraphQL field resolvers and federation references. Each takes many
 * keys and answers in one query, so a DataLoader can sit in front of it. Rows come back as plain
 * objects of the entity's shape, not managed entities: these reads never write.
 */
export class CustomerService {
  private readonly reads: LeanReads;

  constructor(private readonly deps: ServiceDeps) {
    this.reads = leanReadsOf(deps.orm);
  }

  em(): Em {
    return this.deps.orm.em.fork();
  }

  async customersByIds(
    caller: Caller,
    merchantCustomerIds: readonly string[],
  ): Promise<Customer[]> {
    return this.reads.find(Customer, {
      where: { tenantId: caller.tenantId },
      key: 'merchantCustomerId',
      values: lookupKeys(merchantCustomerIds),
    });
  }

  async registrationsByIds(caller: Caller, ids: readonly string[]): Promise<Registration[]> {
    return this.reads.find(Registration, {
      where: { tenantId: caller.tenantId },
      key: 'id',
      values: lookupKeys(ids),
    });
  }

  async bindingsByIds(caller: Caller, ids: readonly string[]): Promise<DeviceBinding[]> {
    return this.reads.find(DeviceBinding, {
      where: { tenantId: caller.tenantId },
      key: 'id',
      values: lookupKeys(ids),
    });
  }

  async bindingsByRegistrationIds(
    caller: Caller,
    registrationIds: readonly string[],
  ): Promise<DeviceBinding[]> {
    return this.reads.find(DeviceBinding, {
      where: { tenantId: caller.tenantId },
      key: 'registrationId',
      values: lookupKeys(registrationIds),
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
    return this.reads.find(RegistrationEvent, {
      key: 'registrationId',
      values: lookupKeys(registrationIds),
      orderBy: [
        ['at', 'asc'],
        ['id', 'asc'],
      ],
    });
  }

  async bindingsOfCustomers(
    caller: Caller,
    merchantCustomerIds: readonly string[],
    status?: DeviceBindingStatus | null,
  ): Promise<DeviceBinding[]> {
    return this.reads.find(DeviceBinding, {
      where: { tenantId: caller.tenantId, ...(status ? { status } : {}) },
      key: 'merchantCustomerId',
      values: lookupKeys(merchantCustomerIds),
      orderBy: [
        ['boundAt', 'desc'],
        ['id', 'asc'],
      ],
    });
  }

  /** Newest first. `last` caps each customer's list; the query is one for all customers. */
  async registrationsOfCustomers(
    caller: Caller,
    merchantCustomerIds: readonly string[],
  ): Promise<Registration[]> {
    return this.reads.find(Registration, {
      where: { tenantId: caller.tenantId },
      key: 'merchantCustomerId',
      values: lookupKeys(merchantCustomerIds),
      orderBy: [
        ['createdAt', 'desc'],
        ['id', 'desc'],
      ],
    });
  }
}

function lookupKeys(keys: readonly string[]): string[] {
  return keys.filter((k) => isLookupKey(k));
}
