import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase } from './postgres';
import { type DatabaseTarget, parseDatabaseUrl } from '../../src/config';
import { type Orm, type OrmOptions, migrate, openOrm } from '../../src/persistence/orm';

export interface TestDatabase {
  target: DatabaseTarget;
  /** DATABASE_URL for a server process started on the same database. */
  url: string;
  drop(): Promise<void>;
}

export function databaseUrlFor(target: DatabaseTarget): string {
  return target.kind === 'postgresql' ? target.url : `sqlite:${target.path}`;
}

/**
 * A fresh, empty database per call: a uniquely named PostgreSQL database on DATABASE_URL's server
 * when it points at PostgreSQL, otherwise a SQLite file in a new temp dir. Tests never share state.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (base && parseDatabaseUrl(base).kind === 'postgresql') {
    const database = await createPostgresDatabase(base);
    const target = parseDatabaseUrl(database.url);
    return { target, url: databaseUrlFor(target), drop: database.drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'bindery-test-'));
  const target: DatabaseTarget = { kind: 'sqlite', path: join(dir, 'bindery.sqlite') };
  return {
    target,
    url: databaseUrlFor(target),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh database with every migration applied; close the orm before `db.drop()`. */
export async function openMigratedOrm(
  options?: OrmOptions,
): Promise<{ orm: Orm; db: TestDatabase }> {
  const db = await createTestDatabase();
  let orm: Orm | undefined;
  try {
    orm = await openOrm(db.target, options);
    await migrate(orm);
    return { orm, db };
  } catch (error) {
    await orm?.close();
    await db.drop();
    throw error;
  }
}
