import { type Options, MikroORM } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { type AbstractSqlDriver, type SqlEntityManager } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DatabaseTarget } from '../config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export type Orm = MikroORM<AbstractSqlDriver>;
export type Em = SqlEntityManager;

export interface OrmOptions {
  /** Pool size for PostgreSQL. */
  poolMax?: number;
  debug?: boolean;
  /** Called with each SQL statement the ORM runs (used to count queries). */
  onQuery?: (sql: string) => void;
}

export function ormOptions(target: DatabaseTarget, options: OrmOptions = {}): Options {
  const common: Options = {
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: {
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      tableName: 'mikro_orm_migrations',
      silent: true,
    },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: options.debug ?? false,
    ...(options.onQuery
      ? {
          debug: ['query'],
          logger: (message: string) => options.onQuery?.(message),
        }
      : {}),
  };
  if (target.kind === 'postgresql') {
    return {
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: target.url,
      pool: { min: 0, max: options.poolMax ?? 10 },
    };
  }
  if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
  return {
    ...common,
    driver: BetterSqliteDriver,
    dbName: target.path,
    // WAL lets readers proceed while one writer commits.
    pool: { min: 1, max: 1 },
  };
}

export async function openOrm(target: DatabaseTarget, options: OrmOptions = {}): Promise<Orm> {
  const orm = (await MikroORM.init(ormOptions(target, options))) as Orm;
  if (target.kind === 'sqlite') {
    const knex = orm.em.getConnection().getKnex();
    if (target.path !== ':memory:') await knex.raw('PRAGMA journal_mode = WAL');
    await knex.raw('PRAGMA busy_timeout = 5000');
    await knex.raw('PRAGMA foreign_keys = ON');
  }
  return orm;
}

export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
