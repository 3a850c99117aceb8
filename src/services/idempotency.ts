import { createHash, randomUUID } from 'node:crypto';
import { IdempotencyRecord } from '../persistence/entities';
import { type Em } from '../persistence/orm';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A stable hash of a request: keys sorted, so property order does not matter. */
export function requestHash(request: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(request)
      .sort()
      .map((key) => [key, request[key] ?? null]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export type Replay<T> = { kind: 'fresh' } | { kind: 'replay'; response: T } | { kind: 'reused' };

/** Looks the key up in the caller's transaction; a record past its window no longer counts. */
export async function findReplay<T>(
  em: Em,
  scope: { tenantId: string; operation: string; key: string },
  hash: string,
  now: Date,
): Promise<Replay<T>> {
  const record = await em.findOne(IdempotencyRecord, {
    tenantId: scope.tenantId,
    operation: scope.operation,
    idempotencyKey: scope.key,
  });
  if (!record) return { kind: 'fresh' };
  if (record.expiresAt.getTime() <= now.getTime()) {
    em.remove(record);
    await em.flush();
    return { kind: 'fresh' };
  }
  if (record.requestHash !== hash) return { kind: 'reused' };
  return { kind: 'replay', response: JSON.parse(record.response) as T };
}

/** Remembers a successful answer; a concurrent first call with the same key loses on the unique key. */
export function rememberResponse(
  em: Em,
  scope: { tenantId: string; operation: string; key: string },
  hash: string,
  response: unknown,
  now: Date,
): void {
  em.persist(
    em.create(IdempotencyRecord, {
      id: randomUUID(),
      tenantId: scope.tenantId,
      operation: scope.operation,
      idempotencyKey: scope.key,
      requestHash: hash,
      response: JSON.stringify(response),
      createdAt: now,
      expiresAt: new Date(now.getTime() + IDEMPOTENCY_WINDOW_MS),
    }),
  );
}
