import DataLoader from 'dataloader';
import {
  type ConsentTransaction,
  type Customer,
  type DeviceBinding,
  type Registration,
  type RegistrationEvent,
} from '../persistence/entities';
import { type Caller, type Services } from '../services';
import { type CustomerService } from '../services/customer-service';
import { consentAggregateId } from '../services/outbox';
import { unauthenticated } from './errors';

export interface ConsentKey {
  spId: string;
  spTransactionID: string;
}

/**
 * One DataLoader per batched read, created per request: within a request each kind of row costs
 * one query however many parents ask, and no cache outlives the request (or crosses tenants).
 */
export interface Loaders {
  registration: DataLoader<string, Registration | null>;
  deviceBinding: DataLoader<string, DeviceBinding | null>;
  bindingOfRegistration: DataLoader<string, DeviceBinding | null>;
  historyOfRegistration: DataLoader<string, RegistrationEvent[]>;
  customer: DataLoader<string, Customer | null>;
  /** Every binding of the customer, newest first; callers filter by status. */
  bindingsOfCustomer: DataLoader<string, DeviceBinding[]>;
  /** Every registration of the customer, newest first; callers take the newest few. */
  registrationsOfCustomer: DataLoader<string, Registration[]>;
  consentTransaction: DataLoader<ConsentKey, ConsentTransaction | null, string>;
}

// Keeps each IN (...) list well under every database's bound-parameter limit.
const MAX_BATCH = 500;

function one<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): (R | null)[] {
  const byKey = new Map<K, R>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

function many<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): R[][] {
  const byKey = new Map<K, R[]>(keys.map((key) => [key, []]));
  for (const row of rows) byKey.get(keyOf(row))?.push(row);
  return keys.map((key) => byKey.get(key) ?? []);
}

const OPTIONS = { maxBatchSize: MAX_BATCH };

/**
 * Each loader is made on first use: a request reads one or two kinds of row, and building every
 * loader for every request costs more than the lookups it answers.
 */
class RequestLoaders implements Loaders {
  /** The loaders made so far, the only ones holding rows. */
  readonly made: Partial<Loaders> = {};

  constructor(
    private readonly customers: CustomerService,
    private readonly caller: Caller | null,
  ) {}

  private scoped(): Caller {
    if (!this.caller) throw unauthenticated();
    return this.caller;
  }

  get registration() {
    return (this.made.registration ??= new DataLoader(async (ids) => {
      return one(ids, await this.customers.registrationsByIds(this.scoped(), ids), (r) => r.id);
    }, OPTIONS));
  }

  get deviceBinding() {
    return (this.made.deviceBinding ??= new DataLoader(async (ids) => {
      return one(ids, await this.customers.bindingsByIds(this.scoped(), ids), (b) => b.id);
    }, OPTIONS));
  }

  get bindingOfRegistration() {
    return (this.made.bindingOfRegistration ??= new DataLoader(async (ids) => {
      const rows = await this.customers.bindingsByRegistrationIds(this.scoped(), ids);
      return one(ids, rows, (b) => b.registrationId);
    }, OPTIONS));
  }

  get historyOfRegistration() {
    return (this.made.historyOfRegistration ??= new DataLoader(async (ids) => {
      // Only ids of registrations already read in the caller's tenant reach this loader.
      this.scoped();
      const rows = await this.customers.historyByRegistrationIds(ids);
      return many(ids, rows, (e) => e.registrationId);
    }, OPTIONS));
  }

  get customer() {
    return (this.made.customer ??= new DataLoader(async (ids) => {
      const rows = await this.customers.customersByIds(this.scoped(), ids);
      return one(ids, rows, (c) => c.merchantCustomerId);
    }, OPTIONS));
  }

  get bindingsOfCustomer() {
    return (this.made.bindingsOfCustomer ??= new DataLoader(async (ids) => {
      const rows = await this.customers.bindingsOfCustomers(this.scoped(), ids);
      return many(ids, rows, (b) => b.merchantCustomerId);
    }, OPTIONS));
  }

  get registrationsOfCustomer() {
    return (this.made.registrationsOfCustomer ??= new DataLoader(async (ids) => {
      const rows = await this.customers.registrationsOfCustomers(this.scoped(), ids);
      return many(ids, rows, (r) => r.merchantCustomerId);
    }, OPTIONS));
  }

  get consentTransaction() {
    const key = (spId: string, tx: string) => consentAggregateId(spId, tx);
    return (this.made.consentTransaction ??= new DataLoader<
      ConsentKey,
      ConsentTransaction | null,
      string
    >(
      async (keys) => {
        const rows = await this.customers.consentsByKeys(this.scoped(), keys);
        return one(
          keys.map((k) => key(k.spId, k.spTransactionID)),
          rows,
          (c) => key(c.spId, c.spTransactionId),
        );
      },
      { ...OPTIONS, cacheKeyFn: (k) => key(k.spId, k.spTransactionID) },
    ));
  }
}

export function createLoaders(services: Services, caller: Caller | null): Loaders {
  return new RequestLoaders(services.customers, caller);
}

/**
 * Drops every cached row. Mutations call it after a change, and subscriptions before each new
 * event, so nested fields never show a state older than the one being answered.
 */
export function forgetAll(loaders: Loaders): void {
  // Only loaders already made hold rows; reading the others would make them.
  const made =
    loaders instanceof RequestLoaders ? Object.values(loaders.made) : Object.values(loaders);
  for (const loader of made as DataLoader<unknown, unknown, unknown>[]) loader.clearAll();
}
