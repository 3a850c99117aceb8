import { type EntityClass, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { createHash } from 'node:crypto';
import { type Orm } from './orm';

export type SortOrder = 'asc' | 'desc';

/**
 * Rows whose `key` is one of `values`, whose `where` columns equal the given strings and whose
 * `whereOrNull` columns equal them or are null; at most `limit` of them when given.
 */
export interface LeanQuery<T> {
  where?: Partial<Record<keyof T & string, string>>;
  whereOrNull?: Partial<Record<keyof T & string, string>>;
  key: keyof T & string;
  values: readonly string[];
  orderBy?: readonly [keyof T & string, SortOrder][];
  limit?: number;
}

interface Column {
  property: string;
  field: string;
  date: boolean;
}

interface Statement {
  sql: string;
  /** PostgreSQL prepared-statement name: derived from the text, so one name never means two texts. */
  name: string;
  columns: Column[];
}

/** The two drivers' connections, as far as these reads touch them. */
interface SqliteConnection {
  prepare(sql: string): { all(...params: unknown[]): Record<string, unknown>[] };
}
interface PgConnection {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Record<string, unknown>[] }>;
}
interface KnexClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Batched, read-only lookups by key for the GraphQL loaders, answered as plain objects of the
 * entity's shape. A MikroORM `find` spends most of a small query's CPU building SQL, preparing
 * it anew and hydrating managed entities for an identity map nobody reads afterwards; here each
 * query shape's SQL is built once and stays prepared on its connection (better-sqlite3 statement,
 * PostgreSQL named statement), and one bound parameter carries every key (`json_each` / `any`), so
 * a batch of any size is the same statement. Connections come from the ORM's own pool, so reads
 * still queue behind an open SQLite write transaction instead of seeing its uncommitted rows.
 */
export class LeanReads {
  private readonly postgres: boolean;
  private readonly statements = new Map<string, Statement>();
  private readonly prepared = new WeakMap<
    object,
    Map<string, ReturnType<SqliteConnection['prepare']>>
  >();

  private readonly timezone: string;

  constructor(private readonly orm: Orm) {
    this.postgres = orm.config.get('driver')?.name === 'PostgreSqlDriver';
    this.timezone = orm.em.getPlatform().getTimezone() ?? '';
  }

  async find<T extends object>(entity: EntityClass<T>, query: LeanQuery<T>): Promise<T[]> {
    if (query.values.length === 0) return [];
    const where = Object.entries(query.where ?? {}) as [string, string][];
    const orNull = Object.entries(query.whereOrNull ?? {}) as [string, string][];
    const statement = this.statement(
      entity,
      where.map(([p]) => p),
      orNull.map(([p]) => p),
      query,
    );
    const keys = this.postgres ? [...query.values] : JSON.stringify(query.values);
    const params = [...where.map(([, v]) => v), ...orNull.map(([, v]) => v), keys];
    const started = Date.now();
    const rows = await this.run(statement, params);
    // Through MikroORM's logger, so debug output and statement counts see these reads too.
    this.orm.config.getLogger().logQuery({
      level: 'info',
      query: statement.sql,
      params,
      took: Date.now() - started,
      results: rows.length,
    });
    return rows.map((row) => this.map<T>(statement.columns, row));
  }

  private statement<T extends object>(
    entity: EntityClass<T>,
    whereProperties: string[],
    orNullProperties: string[],
    query: LeanQuery<T>,
  ): Statement {
    const order = (query.orderBy ?? []).map(([p, o]) => `${p}:${o}`).join(',');
    const shape = [
      entity.name,
      whereProperties.join(','),
      orNullProperties.join(','),
      query.key,
      order,
      query.limit ?? '',
    ].join('|');
    let statement = this.statements.get(shape);
    if (!statement) {
      const meta = this.orm.getMetadata().get<T>(entity.name);
      statement = this.build(meta, whereProperties, orNullProperties, query);
      this.statements.set(shape, statement);
    }
    return statement;
  }

  private build<T extends object>(
    meta: EntityMetadata<T>,
    whereProperties: string[],
    orNullProperties: string[],
    query: LeanQuery<T>,
  ): Statement {
    const field = (property: string) => {
      const prop = (meta.properties as Record<string, EntityProperty<T>>)[property];
      if (!prop) throw new Error(`${meta.className} has no property ${property}`);
      return quote(prop.fieldNames[0]);
    };
    const columns: Column[] = meta.props
      .filter((p) => p.persist !== false && p.fieldNames?.length === 1)
      .map((p) => ({ property: p.name, field: p.fieldNames[0], date: p.runtimeType === 'Date' }));
    let n = 0;
    const param = () => (this.postgres ? `$${++n}` : '?');
    const conditions = whereProperties.map((p) => `${field(p)} = ${param()}`);
    for (const p of orNullProperties) {
      conditions.push(`(${field(p)} = ${param()} or ${field(p)} is null)`);
    }
    conditions.push(
      this.postgres
        ? `${field(query.key)} = any(${param()})`
        : `${field(query.key)} in (select value from json_each(${param()}))`,
    );
    const orderBy = (query.orderBy ?? []).map(([p, o]) => `${field(p)} ${o}`);
    const sql =
      `select ${columns.map((c) => quote(c.field)).join(', ')} from ${quote(meta.tableName)}` +
      ` where ${conditions.join(' and ')}` +
      (orderBy.length > 0 ? ` order by ${orderBy.join(', ')}` : '') +
      // A whole number from the code, never from a caller: safe to write into the text.
      (query.limit !== undefined ? ` limit ${Math.trunc(query.limit)}` : '');
    const name = `lean_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    return { sql, name, columns };
  }

  private async run(statement: Statement, params: unknown[]): Promise<Record<string, unknown>[]> {
    const client = this.orm.em.getConnection().getKnex().client as KnexClient;
    const connection = await client.acquireConnection();
    try {
      if (this.postgres) {
        const { name, sql: text } = statement;
        return (await (connection as PgConnection).query({ name, text, values: params })).rows;
      }
      return this.preparedOn(connection as SqliteConnection & object, statement.sql).all(...params);
    } finally {
      await client.releaseConnection(connection);
    }
  }

  private preparedOn(connection: SqliteConnection & object, sql: string) {
    let cache = this.prepared.get(connection);
    if (!cache) this.prepared.set(connection, (cache = new Map()));
    let prepared = cache.get(sql);
    if (!prepared) cache.set(sql, (prepared = connection.prepare(sql)));
    return prepared;
  }

  /** What MikroORM's hydrator makes of a row: nulls stay null, dates become Dates. */
  private map<T>(columns: Column[], row: Record<string, unknown>): T {
    const out: Record<string, unknown> = {};
    for (const { property, field, date } of columns) {
      const value = row[field];
      out[property] = value === null || value === undefined || !date ? value : this.date(value);
    }
    return out as T;
  }

  /** MikroORM's own rule (ObjectHydrator): text without a zone is in the configured one. */
  private date(value: unknown): Date {
    if (value instanceof Date || typeof value === 'number') return new Date(value);
    const text = String(value);
    const zoned =
      !this.timezone ||
      this.timezone === 'local' ||
      text.includes('+') ||
      text.lastIndexOf('-') > 10 ||
      text.endsWith('Z');
    return new Date(zoned ? text : text + this.timezone);
  }
}

const shared = new WeakMap<Orm, LeanReads>();

/** One per ORM, so every service's reads share the statements built and prepared once. */
export function leanReadsOf(orm: Orm): LeanReads {
  let reads = shared.get(orm);
  if (!reads) shared.set(orm, (reads = new LeanReads(orm)));
  return reads;
}
