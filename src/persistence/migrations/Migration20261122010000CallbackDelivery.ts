import type { Knex } from '@mikro-orm/knex';
import { Migration } from '@mikro-orm/migrations';

const TABLE = 'callback_delivery';

/*
 * Portable like the initial migration: knex's schema builder renders the DDL for the connected
 * dialect, and names follow MikroORM's naming strategy so the schema diff stays empty.
 */
export class Migration20261122010000CallbackDelivery extends Migration {
  override up(): void {
    this.addSchema((knex) =>
      knex.schema.createTable(TABLE, (t) => {
        t.string('id', 36).notNullable().primary();
        t.string('tenant_id', 36).notNullable();
        t.string('consent_id', 36).notNullable();
        t.text('url').notNullable();
        t.text('payload').notNullable();
        t.integer('attempts').notNullable();
        // useTz: the entities map Date to timestamptz on PostgreSQL; SQLite renders datetime.
        t.timestamp('next_attempt_at', { useTz: true }).nullable();
        t.timestamp('last_attempt_at', { useTz: true }).nullable();
        t.integer('last_status').nullable();
        t.text('last_error').nullable();
        t.timestamp('delivered_at', { useTz: true }).nullable();
        t.timestamp('given_up_at', { useTz: true }).nullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.unique(['consent_id'], { indexName: `${TABLE}_consent_id_unique` });
        t.index(['next_attempt_at'], `${TABLE}_next_attempt_at_index`);
      }),
    );
  }

  override down(): void {
    this.addSchema((knex) => knex.schema.dropTable(TABLE));
  }

  /** A fresh builder per change: `knex.schema` accumulates, so a shared one repeats statements. */
  private addSchema(change: (knex: Knex) => Knex.SchemaBuilder): void {
    for (const { sql } of change(this.getKnex()).toSQL()) this.addSql(sql);
  }
}
