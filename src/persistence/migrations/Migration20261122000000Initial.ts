import type { Knex } from '@mikro-orm/knex';
import { Migration } from '@mikro-orm/migrations';

type Table = Knex.CreateTableBuilder;

/*
 * Written with knex's schema builder rather than MikroORM's generated SQL so that one file renders
 * correct DDL for SQLite and PostgreSQL alike. Names follow MikroORM's naming strategy, so the
 * schema diff against the entities stays empty (test/integration/migrations.test.ts proves it).
 */

const id = (t: Table) => t.string('id', 36).notNullable().primary();
const str = (t: Table, name: string, length: number) => t.string(name, length).notNullable();
const optStr = (t: Table, name: string, length: number) => t.string(name, length).nullable();
// useTz: the entities map Date to timestamptz on PostgreSQL; SQLite renders it as datetime.
const time = (t: Table, name: string) => t.timestamp(name, { useTz: true }).notNullable();
const optTime = (t: Table, name: string) => t.timestamp(name, { useTz: true }).nullable();
// Raw, because knex quotes a plain 1 as '1', which SQLite keeps verbatim and MikroORM reads as a diff.
const version = (t: Table, knex: Knex) =>
  t.integer('version').notNullable().defaultTo(knex.raw('1'));
const unique = (t: Table, table: string, columns: string[]) =>
  t.unique(columns, { indexName: `${table}_${columns.join('_')}_unique` });
const index = (t: Table, table: string, columns: string[]) =>
  t.index(columns, `${table}_${columns.join('_')}_index`);

const TABLES: Record<string, (t: Table, table: string, knex: Knex) => void> = {
  tenant: (t, n) => {
    id(t);
    str(t, 'merchant_id', 64);
    str(t, 'merchant_channel_id', 64);
    str(t, 'sp_id', 128);
    str(t, 'api_key', 64);
    str(t, 'api_token_hash', 64);
    str(t, 'key_id', 64);
    str(t, 'key_secret_hash', 64);
    t.text('signing_secret_encrypted').notNullable();
    str(t, 'client_secret_hash', 64);
    time(t, 'created_at');
    unique(t, n, ['sp_id']);
    unique(t, n, ['api_key']);
    unique(t, n, ['key_id']);
    unique(t, n, ['merchant_id', 'merchant_channel_id']);
  },
  customer: (t, n) => {
    id(t);
    str(t, 'tenant_id', 36);
    str(t, 'merchant_customer_id', 256);
    time(t, 'created_at');
    unique(t, n, ['tenant_id', 'merchant_customer_id']);
  },
  registration: (t, n, knex) => {
    id(t);
    str(t, 'tenant_id', 36);
    str(t, 'ref_number', 20);
    str(t, 'merchant_customer_id', 256);
    str(t, 'device_id', 128);
    str(t, 'os', 32);
    optStr(t, 'ssid', 64);
    optStr(t, 'expected_mobile_number', 20);
    str(t, 'token_hash', 64);
    str(t, 'vmn', 20);
    str(t, 'status', 20);
    t.text('status_reason').nullable();
    optStr(t, 'mobile_number', 20);
    t.text('udf_parameters').nullable();
    time(t, 'expires_at');
    time(t, 'created_at');
    time(t, 'updated_at');
    version(t, knex);
    unique(t, n, ['ref_number']);
    unique(t, n, ['token_hash']);
    index(t, n, ['tenant_id', 'device_id', 'created_at']);
    index(t, n, ['tenant_id', 'merchant_customer_id', 'created_at']);
    index(t, n, ['status', 'expires_at']);
  },
  registration_event: (t, n) => {
    id(t);
    str(t, 'registration_id', 36);
    str(t, 'status', 20);
    t.text('reason').nullable();
    time(t, 'at');
    index(t, n, ['registration_id', 'at']);
  },
  inbound_sms: (t, n) => {
    id(t);
    str(t, 'message_id', 128);
    str(t, 'sender', 20);
    str(t, 'recipient', 20);
    str(t, 'token_hash', 64);
    optStr(t, 'registration_id', 36);
    str(t, 'outcome', 200);
    time(t, 'received_at');
    time(t, 'created_at');
    unique(t, n, ['message_id']);
    index(t, n, ['token_hash']);
  },
  device_binding: (t, n, knex) => {
    id(t);
    str(t, 'tenant_id', 36);
    str(t, 'registration_id', 36);
    str(t, 'merchant_customer_id', 256);
    str(t, 'device_id', 128);
    str(t, 'ssid', 64);
    str(t, 'manufacturer', 64);
    str(t, 'model', 64);
    str(t, 'os', 32);
    str(t, 'os_version', 64);
    str(t, 'package_name', 255);
    str(t, 'mobile_number', 20);
    str(t, 'fingerprint', 64);
    str(t, 'status', 20);
    time(t, 'bound_at');
    optTime(t, 'deregistered_at');
    version(t, knex);
    unique(t, n, ['registration_id']);
    index(t, n, ['tenant_id', 'merchant_customer_id', 'status']);
    index(t, n, ['tenant_id', 'fingerprint']);
  },
  consent_transaction: (t, n, knex) => {
    id(t);
    str(t, 'tenant_id', 36);
    str(t, 'sp_id', 128);
    str(t, 'sp_transaction_id', 128);
    str(t, 'uae_pass_transaction_id', 36);
    str(t, 'merchant_customer_id', 256);
    t.text('purpose').notNullable();
    str(t, 'status', 20);
    t.text('callback_url').nullable();
    time(t, 'expires_at');
    time(t, 'created_at');
    optTime(t, 'decided_at');
    version(t, knex);
    unique(t, n, ['uae_pass_transaction_id']);
    unique(t, n, ['sp_id', 'sp_transaction_id']);
    index(t, n, ['status', 'expires_at']);
  },
  idempotency_record: (t, n) => {
    id(t);
    str(t, 'tenant_id', 36);
    str(t, 'operation', 64);
    str(t, 'idempotency_key', 128);
    str(t, 'request_hash', 64);
    t.text('response').notNullable();
    time(t, 'created_at');
    time(t, 'expires_at');
    unique(t, n, ['tenant_id', 'operation', 'idempotency_key']);
    index(t, n, ['expires_at']);
  },
  outbox_event: (t, n) => {
    // increments: serial on PostgreSQL, integer primary key autoincrement on SQLite.
    t.increments('id');
    str(t, 'tenant_id', 36);
    str(t, 'topic', 64);
    str(t, 'aggregate_id', 200);
    t.text('payload').notNullable();
    time(t, 'created_at');
    optTime(t, 'published_at');
    index(t, n, ['published_at', 'id']);
  },
};

export class Migration20261122000000Initial extends Migration {
  override up(): void {
    for (const [name, build] of Object.entries(TABLES)) {
      this.addSchema((knex) => knex.schema.createTable(name, (t) => build(t, name, knex)));
    }
  }

  override down(): void {
    for (const name of Object.keys(TABLES).reverse()) {
      this.addSchema((knex) => knex.schema.dropTable(name));
    }
  }

  /**
   * knex renders a schema change for the connected dialect, possibly as several statements. Each
   * change gets its own builder: `knex.schema` accumulates, so a shared one would repeat statements.
   */
  private addSchema(change: (knex: Knex) => Knex.SchemaBuilder): void {
    for (const { sql } of change(this.getKnex()).toSQL()) this.addSql(sql);
  }
}
