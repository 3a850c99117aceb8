import { OptimisticLockError, UniqueConstraintViolationException } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import { type Em, type Orm } from '../persistence/orm';
import { openAppendedRows } from './appended-rows';

/** Losing a race (another transaction changed the row, or inserted the same key) is retried. */
function isRaceLost(error: unknown): boolean {
  return (
    error instanceof OptimisticLockError || error instanceof UniqueConstraintViolationException
  );
}

/**
 * Runs `work` in one transaction on a fresh EntityManager. When a concurrent transaction won,
 * the work runs again on fresh data, where the rules see the winner's result and answer with
 * a clear error instead of a conflict. `attempt` counts from 1: work may leave a check that is
 * rarely true to the retry that a unique-key violation on the first attempt brings.
 */
export async function inTransaction<T>(
  orm: Orm,
  work: (em: Em, attempt: number) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await orm.em.fork().transactional(async (em) => {
        const appended = openAppendedRows(em as Em);
        const result = await work(em as Em, attempt);
        await appended.write(em as Em);
        return result;
      });
    } catch (error) {
      if (attempt >= attempts || !isRaceLost(error)) throw error;
    }
  }
}

/**
 * Serialises use cases on one key (a device, a customer) inside the current transaction.
 * PostgreSQL takes an advisory lock freed at commit; SQLite already serialises writers.
 */
export async function lockKey(em: Em, key: string): Promise<void> {
  if (em.getDriver() instanceof PostgreSqlDriver) {
    const id = createHash('sha256').update(key).digest().readBigInt64BE(0);
    await em.execute('select pg_advisory_xact_lock(?)', [id.toString()]);
  }
}
