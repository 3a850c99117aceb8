import DataLoader from 'dataloader';
import {
  type ConsentTransaction,
  type Customer,
  type DeviceBinding,
  type Registration,
  type RegistrationEvent,
} from '../persistence/entities';
import { type Caller, type Services } from '../services';
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

export function createLoaders(services: Services, caller: Caller | null): Loaders {
  const scoped = (): Caller => {
    if (!caller) throw unauthenticated();
    return caller;
  };
  const { customers } = services;
  const options = { maxBatchSize: MAX_BATCH };
  return {
    registration: new DataLoader(async (ids) => {
      return one(ids, await customers.registrationsByIds(scoped(), ids), (r) => r.id);
    }, options),
    deviceBinding: new DataLoader(async (ids) => {
      return one(ids, await customers.bindingsByIds(scoped(), ids), (b) => b.id);
    }, options),
    bindingOfRegistration: new DataLoader(async (ids) => {
      const rows = await customers.bindingsByRegistrationIds(scoped(), ids);
      return one(ids, rows, (b) => b.registrationId);
    }, options),
    historyOfRegistration: new DataLoader(async (ids) => {
      // Only ids of registrations already read in the caller's tenant reach this loader.
      scoped();
      const rows = await customers.historyByRegistrationIds(ids);
      return many(ids, rows, (e) => e.registrationId);
    }, options),
    customer: new DataLoader(async (ids) => {
      const rows = await customers.customersByIds(scoped(), ids);
      return one(ids, rows, (c) => c.merchantCustomerId);
    }, options),
    bindingsOfCustomer: new DataLoader(async (ids) => {
      const rows = await customers.bindingsOfCustomers(scoped(), ids);
      return many(ids, rows, (b) => b.merchantCustomerId);
    }, options),
    registrationsOfCustomer: new DataLoader(async (ids) => {
      const rows = await customers.registrationsOfCustomers(scoped(), ids);
      return many(ids, rows, (r) => r.merchantCustomerId);
    }, options),
    consentTransaction: new DataLoader(
      async (keys) => {
        const rows = await customers.consentsByKeys(scoped(), keys);
        const key = (spId: string, tx: string) => consentAggregateId(spId, tx);
        return one(
          keys.map((k) => key(k.spId, k.spTransactionID)),
          rows,
          (c) => key(c.spId, c.spTransactionId),
        );
      },
      { ...options, cacheKeyFn: (key) => consentAggregateId(key.spId, key.spTransactionID) },
    ),
  };
}

/**
 * Drops every cached row. Mutations call it after a change, and subscriptions before each new
 * event, so nested fields never show a state older than the one being answered.
 */
export function forgetAll(loaders: Loaders): void {
  for (const loader of Object.values(loaders) as DataLoader<unknown, unknown, unknown>[]) {
    loader.clearAll();
  }
}
