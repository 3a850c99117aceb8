import { MIGRATIONS } from '../../src/persistence/migrations';
import { type Orm } from '../../src/persistence/orm';
import { type TestDatabase, openMigratedOrm } from '../support/database';

let orm: Orm;
let db: TestDatabase;

beforeAll(async () => {
  ({ orm, db } = await openMigratedOrm());
});

afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

/** What MikroORM would still run to make the database match the entities; '' when nothing. */
async function schemaDiff(): Promise<string> {
  return (await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim();
}

test('migrations build exactly the schema the entities describe', async () => {
  expect(await schemaDiff()).toBe('');
});

test('migrations can be rolled back and re-applied', async () => {
  const migrator = orm.getMigrator();
  const tables = Object.values(orm.getMetadata().getAll()).map((meta) => meta.tableName);

  await migrator.down({ to: 0 });
  expect(await migrator.getExecutedMigrations()).toEqual([]);
  // Rolled back means gone: the diff would now have to create every entity table again.
  const afterDown = await schemaDiff();
  for (const table of tables)
    expect(afterDown).toMatch(new RegExp(`create table [\`"]${table}[\`"]`));

  await migrator.up();
  const executed = await migrator.getExecutedMigrations();
  expect(executed.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
  expect(await schemaDiff()).toBe('');
});
