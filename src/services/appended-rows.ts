import { type EntityClass, type EntityData, type RequiredEntityData } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { type Em } from '../persistence/orm';

interface Pending {
  entity: EntityClass<object>;
  rows: EntityData<object>[];
  /** Columns of a unique key whose existing row makes the insert a no-op. */
  ignoreConflictOn?: string[];
}

/**
 * Rows a transaction only inserts (history, outbox, receipts, new records). On PostgreSQL they
 * go out as one statement just before commit: every round trip holds a pooled connection and
 * costs the event loop a query's worth of ORM work, and a binding writes about ten such rows.
 * SQLite runs in-process, so there they are ordinary persisted entities (an insert that ignores
 * conflicts aside, which the unit of work cannot express).
 */
export class AppendedRows {
  private readonly pending: Pending[] = [];

  constructor(private readonly postgres: boolean) {}

  add<T extends object>(
    em: Em,
    entity: EntityClass<T>,
    data: RequiredEntityData<T>,
    ignoreConflictOn?: string[],
  ): T {
    if (!this.postgres && !ignoreConflictOn) return em.create(entity, data);
    const group = this.pending.find(
      (p) => p.entity === entity && p.ignoreConflictOn === ignoreConflictOn,
    );
    if (group) group.rows.push(data as EntityData<object>);
    else this.pending.push({ entity, rows: [data as EntityData<object>], ignoreConflictOn });
    return em.create(entity, data, { persist: false });
  }

  async write(em: Em): Promise<void> {
    if (this.pending.length === 0) return;
    const inserts = this.pending.map((p) => {
      const qb = em.createQueryBuilder(p.entity).insert(p.rows);
      if (p.ignoreConflictOn) qb.onConflict(p.ignoreConflictOn).ignore();
      return qb;
    });
    this.pending.length = 0;
    if (!this.postgres) {
      for (const qb of inserts) await qb.execute();
      return;
    }
    const statements = inserts.map((qb) => qb.getKnexQuery().toSQL());
    // Data-modifying CTEs all run, whether or not the outer statement reads them.
    const last = statements[statements.length - 1];
    const ctes = statements.slice(0, -1).map((s, i) => `w${i} as (${s.sql})`);
    const sql = ctes.length > 0 ? `with ${ctes.join(', ')} ${last.sql}` : last.sql;
    await em.execute(
      sql,
      statements.flatMap((s) => [...s.bindings]),
    );
  }
}

const open = new WeakMap<Em, AppendedRows>();

/** Called by the transaction runner for the EntityManager of each transaction it opens. */
export function openAppendedRows(em: Em): AppendedRows {
  const rows = new AppendedRows(em.getDriver() instanceof PostgreSqlDriver);
  open.set(em, rows);
  return rows;
}

/**
 * Inserts a row with the caller's transaction and answers it as an entity. Outside a transaction
 * opened by inTransaction there is no commit to ride on, so that is a programming error.
 * The answer is a snapshot of what will be inserted: on PostgreSQL the row is written only just
 * before commit, so changing the entity afterwards, or querying for the row later in the same
 * transaction, would not see it there while it would on SQLite. Append rows only when final.
 */
export function appendRow<T extends object>(
  em: Em,
  entity: EntityClass<T>,
  data: RequiredEntityData<T>,
  ignoreConflictOn?: string[],
): T {
  const rows = open.get(em);
  if (!rows) throw new Error('appendRow needs a transaction opened by inTransaction');
  return rows.add(em, entity, data, ignoreConflictOn);
}
