import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
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

/** Runs one statement on the server's maintenance database (the one DATABASE_URL names). */
async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database per call: a uniquely named PostgreSQL database on DATABASE_URL's server
 * when it points at PostgreSQL, otherwise a SQLite file in a new temp dir. Tests never share state.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (base && parseDatabaseUrl(base).kind === 'postgresql') {
    const name = `bindery_t_${randomBytes(6).toString('hex')}`;
    await onServer(base, `CREATE DATABASE "${name}"`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const target = parseDatabaseUrl(url.toString());
    return {
      target,
      url: databaseUrlFor(target),
      drop: () => onServer(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    };
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
