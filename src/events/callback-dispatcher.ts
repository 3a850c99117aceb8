import { LockMode } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { type Logger } from 'pino';
import { type ConsentStatus, isFinalConsentStatus } from '../domain/consent-status';
import { CallbackDelivery, Tenant } from '../persistence/entities';
import { type Em, type Orm } from '../persistence/orm';
import { TOPICS } from '../services/outbox';
import { type TenantService } from '../services/tenant-service';
import { nextAttemptAt } from './callback-schedule';
import { type CallbackAnswer, hostOf, postCallback } from './callback-sender';
import { type EventBus } from './pubsub';
import { callbackDeliveryFailures } from '../observability/metrics';

export interface CallbackDispatcherDeps {
  orm: Orm;
  tenants: Pick<TenantService, 'signingSecretOf'>;
  /** Injected so tests can move time instead of waiting out a backoff. */
  clock: () => Date;
  log: Logger;
  /** When given, a consent settling anywhere wakes the dispatcher instead of waiting for a poll. */
  events?: EventBus;
}

export interface CallbackDispatcherOptions {
  pollIntervalMs: number;
  timeoutMs: number;
  /** Whether receivers on loopback, private or link-local addresses are called. */
  privateNetworks: boolean;
  batchSize?: number;
  /** Source of the backoff jitter. */
  random?: () => number;
}

export type CallbackDeliveryState = 'PENDING' | 'DELIVERED' | 'GIVEN_UP';

/** A delivery as an operator reads it. */
export type CallbackDeliveryView = CallbackDelivery & { state: CallbackDeliveryState };

function stateOf(row: CallbackDelivery): CallbackDeliveryState {
  if (row.deliveredAt) return 'DELIVERED';
  return row.givenUpAt ? 'GIVEN_UP' : 'PENDING';
}

const DEFAULT_BATCH_SIZE = 20;
/**
 * A claimed row is pushed this far past the POST's own timeout: if the instance dies mid-delivery,
 * another picks the row up once the lease runs out, and a live one never overlaps itself.
 */
const LEASE_MARGIN_MS = 60_000;

/**
 * Delivers queued consent callbacks: claims due rows, POSTs them signed, records each attempt and
 * schedules the next with backoff until a 2xx or the 24 h window closes. Several instances share
 * the work; each claim moves the row out of everyone else's reach for the length of a lease.
 */
export class CallbackDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;
  private unsubscribe: () => void = () => undefined;
  private readonly batchSize: number;

  constructor(
    private readonly deps: CallbackDispatcherDeps,
    private readonly options: CallbackDispatcherOptions,
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      void this.dispatchDue()
        .catch((error: unknown) => this.deps.log.error({ err: error }, 'callback pass failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.options.pollIntervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
    this.unsubscribe =
      this.deps.events?.subscribe((event) => {
        if (event.topic === TOPICS.consent && isFinalConsentStatus(event.status as ConsentStatus))
          this.wake();
      }) ?? (() => undefined);
  }

  /** Stops polling and waits for the POSTs in flight; their outcomes are recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /**
   * Attempts every delivery that is due now; returns how many it attempted. A call during a pass
   * gets one more pass after it, so a row committed mid-pass is not left for the next poll.
   */
  dispatchDue(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let attempted = 0;
      try {
        do {
          this.again = false;
          attempted += await this.drain();
        } while (this.again && !this.stopped);
      } finally {
        // Cleared in the same turn as the last `again` check, so no wake-up falls in between.
        this.running = null;
      }
      return attempted;
    })();
    return this.running;
  }

  /** Every callback of one consent, oldest first, with what became of it. */
  async deliveriesFor(consentId: string): Promise<CallbackDeliveryView[]> {
    const rows = await this.deps.orm.em
      .fork()
      .find(CallbackDelivery, { consentId }, { orderBy: { createdAt: 'asc' } });
    return rows.map((row) => ({ ...row, state: stateOf(row) }));
  }

  private wake(): void {
    if (this.stopped) return;
    void this.dispatchDue().catch((error: unknown) =>
      this.deps.log.error({ err: error }, 'callback pass failed'),
    );
  }

  private async drain(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const batch = await this.claimDue();
      if (batch.length === 0) return attempted;
      const secrets = await this.signingSecrets(batch);
      // One slow receiver must not hold up the others: a batch goes out at once.
      await Promise.all(batch.map((row) => this.attempt(row, secrets.get(row.tenantId))));
      attempted += batch.length;
      if (batch.length < this.batchSize || this.stopped) return attempted;
    }
  }

  /**
   * Takes due rows by moving their next attempt to the end of a lease. On PostgreSQL the read skips
   * rows another instance has locked; the update repeats the "still due" test, which is what keeps
   * a row single-claimed where there are no row locks (SQLite).
   */
  private async claimDue(): Promise<CallbackDelivery[]> {
    const now = this.deps.clock();
    const leaseEnd = new Date(now.getTime() + this.options.timeoutMs + LEASE_MARGIN_MS);
    const em = this.deps.orm.em.fork();
    const postgres = em.getDriver() instanceof PostgreSqlDriver;
    const claim = async (tx: Em) => {
      const due = await tx.find(
        CallbackDelivery,
        { nextAttemptAt: { $lte: now } },
        {
          orderBy: { nextAttemptAt: 'asc' },
          limit: this.batchSize,
          ...(postgres ? { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE } : {}),
        },
      );
      const claimed: CallbackDelivery[] = [];
      for (const row of due) {
        const won = await tx.nativeUpdate(
          CallbackDelivery,
          { id: row.id, nextAttemptAt: { $lte: now } },
          { nextAttemptAt: leaseEnd },
        );
        if (won === 1) claimed.push(row);
      }
      return claimed;
    };
    // SQLite runs the statements on their own: a read-then-write transaction there fails outright
    // when another connection wrote in between, where the guarded update simply loses the row.
    return postgres ? em.transactional((tx) => claim(tx as Em)) : claim(em);
  }

  private async signingSecrets(batch: CallbackDelivery[]): Promise<Map<string, string>> {
    const ids = [...new Set(batch.map((row) => row.tenantId))];
    const tenants = await this.deps.orm.em.fork().find(Tenant, { id: { $in: ids } });
    const secrets = new Map<string, string>();
    for (const tenant of tenants) {
      try {
        secrets.set(tenant.id, this.deps.tenants.signingSecretOf(tenant));
      } catch (error) {
        this.deps.log.error(
          { tenantId: tenant.id, reason: (error as Error).name },
          'cannot open the signing secret',
        );
      }
    }
    return secrets;
  }

  private async attempt(row: CallbackDelivery, signingSecret: string | undefined): Promise<void> {
    const answer: CallbackAnswer = signingSecret
      ? await postCallback({
          url: row.url,
          rawBody: row.payload,
          signingSecret,
          deliveryId: row.id,
          now: this.deps.clock(),
          timeoutMs: this.options.timeoutMs,
          privateNetworks: this.options.privateNetworks,
        })
      : { status: null, error: 'the signing secret of the tenant is unavailable' };
    await this.record(row, answer);
  }

  private async record(row: CallbackDelivery, answer: CallbackAnswer): Promise<void> {
    const now = this.deps.clock();
    const attempts = row.attempts + 1;
    const delivered = answer.status !== null && answer.status >= 200 && answer.status < 300;
    const next = delivered
      ? null
      : nextAttemptAt(row.createdAt, attempts, now, this.options.random);
    const context = {
      deliveryId: row.id,
      consentId: row.consentId,
      host: hostOf(row.url),
      attempt: attempts,
      status: answer.status,
      error: answer.error,
    };
    await this.deps.orm.em.fork().nativeUpdate(
      CallbackDelivery,
      // A row already settled (another instance after an expired lease) keeps its first outcome.
      { id: row.id, deliveredAt: null, givenUpAt: null },
      {
        attempts,
        lastAttemptAt: now,
        lastStatus: answer.status,
        lastError: answer.error,
        nextAttemptAt: next,
        deliveredAt: delivered ? now : null,
        givenUpAt: !delivered && !next ? now : null,
      },
    );
    if (!delivered) callbackDeliveryFailures.inc();
    if (delivered) this.deps.log.info(context, 'consent callback delivered');
    else if (next)
      this.deps.log.warn({ ...context, nextAttemptAt: next }, 'consent callback failed');
    else this.deps.log.error(context, 'consent callback given up after 24 h');
  }
}
