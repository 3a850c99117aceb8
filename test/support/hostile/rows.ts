import { hashSmsToken } from '../../../src/domain/sms-token';
import {
  CallbackDelivery,
  ConsentTransaction,
  Customer,
  DeviceBinding,
  ENTITIES,
  IdempotencyRecord,
  InboundSms,
  OutboxEvent,
  Registration,
  RegistrationEvent,
} from '../../../src/persistence/entities';
import { type Orm } from '../../../src/persistence/orm';
import { consentAggregateId } from '../../../src/services/outbox';

/**
 * Row accounting: the row count of every table before and after a batch, and the rows that the
 * batch's accepted requests may legitimately have added. Whatever else moved, rejected input moved.
 */

export type RowCounts = Record<string, number>;

/** The row count of every table the ORM maps (ENTITIES), by entity name. */
export async function rowCounts(orm: Orm): Promise<RowCounts> {
  const em = orm.em.fork();
  const counts: RowCounts = {};
  for (const entity of ENTITIES) counts[entity.name] = await em.count(entity, {});
  return counts;
}

/** What accepted requests of a batch touched; rows they may add are counted from these keys. */
export class Effects {
  readonly registrationIds = new Set<string>();
  readonly smsContents = new Set<string>();
  readonly consentKeys: { spId: string; spTransactionID: string }[] = [];
  readonly merchantCustomerIds = new Set<string>();
  readonly idempotencyKeys = new Set<string>();
  readonly messageIds = new Set<string>();

  get empty(): boolean {
    return (
      this.registrationIds.size +
        this.smsContents.size +
        this.consentKeys.length +
        this.merchantCustomerIds.size +
        this.idempotencyKeys.size +
        this.messageIds.size ===
      0
    );
  }
}

/**
 * The rows created since `since` that accepted requests account for: their registrations (found
 * by id, SMS token or reported SMS), its history, bindings and outbox events; their consents with
 * outbox events and callbacks; customers they named; idempotency records; reported SMS.
 */
export async function attributableRows(
  orm: Orm,
  since: Date,
  effects: Effects,
): Promise<RowCounts> {
  const em = orm.em.fork();
  const after = { $gte: since };
  const registrationIds = new Set(effects.registrationIds);
  if (effects.smsContents.size > 0) {
    const hashes = [...effects.smsContents].map(hashSmsToken);
    for (const row of await em.find(Registration, { tokenHash: { $in: hashes } })) {
      registrationIds.add(row.id);
    }
  }
  const messageIds = [...effects.messageIds];
  if (messageIds.length > 0) {
    for (const row of await em.find(InboundSms, { messageId: { $in: messageIds } })) {
      if (row.registrationId) registrationIds.add(row.registrationId);
    }
  }
  const regIds = [...registrationIds];
  const bindings = regIds.length
    ? await em.find(DeviceBinding, { registrationId: { $in: regIds } })
    : [];
  const consents = effects.consentKeys.length
    ? await em.find(ConsentTransaction, {
        $or: effects.consentKeys.map((k) => ({ spId: k.spId, spTransactionId: k.spTransactionID })),
      })
    : [];
  const consentIds = consents.map((c) => c.id);
  const aggregates = [
    ...regIds,
    ...bindings.map((b) => b.id),
    ...consents.map((c) => consentAggregateId(c.spId, c.spTransactionId)),
  ];
  const customers = [...effects.merchantCustomerIds];
  const keys = [...effects.idempotencyKeys];
  const count = async (
    ready: boolean,
    entity: Parameters<typeof em.count>[0],
    where: object,
  ): Promise<number> => (ready ? em.count(entity, where as never) : 0);
  return {
    Tenant: 0,
    Customer: await count(customers.length > 0, Customer, {
      merchantCustomerId: { $in: customers },
      createdAt: after,
    }),
    Registration: await count(regIds.length > 0, Registration, {
      id: { $in: regIds },
      createdAt: after,
    }),
    RegistrationEvent: await count(regIds.length > 0, RegistrationEvent, {
      registrationId: { $in: regIds },
      at: after,
    }),
    InboundSms: await count(messageIds.length > 0, InboundSms, {
      messageId: { $in: messageIds },
      createdAt: after,
    }),
    DeviceBinding: await count(regIds.length > 0, DeviceBinding, {
      registrationId: { $in: regIds },
      boundAt: after,
    }),
    ConsentTransaction: await count(consentIds.length > 0, ConsentTransaction, {
      id: { $in: consentIds },
      createdAt: after,
    }),
    IdempotencyRecord: await count(keys.length > 0, IdempotencyRecord, {
      idempotencyKey: { $in: keys },
      createdAt: after,
    }),
    OutboxEvent: await count(aggregates.length > 0, OutboxEvent, {
      aggregateId: { $in: aggregates },
      createdAt: after,
    }),
    CallbackDelivery: await count(consentIds.length > 0, CallbackDelivery, {
      consentId: { $in: consentIds },
      createdAt: after,
    }),
  };
}

/** Tables whose row count moved by other than what accepted requests account for. */
export function unexplainedChanges(
  before: RowCounts,
  after: RowCounts,
  explained: RowCounts,
): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const name of Object.keys(after)) {
    const delta = after[name] - before[name];
    const expected = explained[name] ?? 0;
    if (delta !== expected) changes[name] = `${delta} rows added, ${expected} accounted for`;
  }
  return changes;
}

/**
 * Runs `batch` between two row counts of every table; answers the tables whose count moved by
 * more or less than the accepted requests (recorded in the Effects) account for.
 */
export async function unexplainedRowChanges(
  orm: Orm,
  batch: (effects: Effects) => Promise<unknown>,
): Promise<Record<string, string>> {
  const before = await rowCounts(orm);
  const since = new Date();
  const effects = new Effects();
  await batch(effects);
  const after = await rowCounts(orm);
  const explained = effects.empty ? {} : await attributableRows(orm, since, effects);
  return unexplainedChanges(before, after, explained);
}
