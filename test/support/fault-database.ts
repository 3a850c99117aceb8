import { loadConfig } from '../../src/config';
import { migrate, openOrm } from '../../src/persistence/orm';
import { type TenantCredentials, TenantService } from '../../src/services/tenant-service';
import { sleep } from './wait';
import {
  createPostgresDatabase,
  onPostgres,
  type PostgresDatabase,
  postgresServerUrl,
} from './postgres';

/**
 * A fresh, migrated PostgreSQL database (fault suites always run on PostgreSQL) with one tenant,
 * created in-process as an operator's CLI would. The database is dropped again if that fails.
 */
export async function faultDatabaseWithTenant(
  merchantId: string,
  secretsKey: string,
): Promise<{ db: PostgresDatabase; tenant: TenantCredentials }> {
  const db = await createPostgresDatabase(postgresServerUrl(), 'bindery_fault');
  try {
    const orm = await openOrm(
      loadConfig({ DATABASE_URL: db.url, SECRETS_KEY: secretsKey }).database,
    );
    try {
      await migrate(orm);
      const tenant = await new TenantService({
        orm,
        secretsKey: Buffer.from(secretsKey, 'hex'),
      }).createTenant({ merchantId, merchantChannelId: `${merchantId}APP` });
      return { db, tenant };
    } finally {
      await orm.close(true);
    }
  } catch (error) {
    await db.drop();
    throw error;
  }
}

export async function unpublishedCount(url: string): Promise<number> {
  return onPostgres(url, async (c) =>
    Number(
      (await c.query('select count(*) as n from outbox_event where published_at is null')).rows[0]
        .n,
    ),
  );
}

/** Polls until no outbox row is pending or the time is up; answers the last count. */
export async function untilAllPublished(url: string, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let pending = await unpublishedCount(url);
  while (pending > 0 && Date.now() < until) {
    await sleep(100);
    pending = await unpublishedCount(url);
  }
  return pending;
}
