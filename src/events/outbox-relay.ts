import { LockMode } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { type Logger } from 'pino';
import { OutboxEvent } from '../persistence/entities';
import { type Orm } from '../persistence/orm';
import { type EventBus } from './pubsub';

const BATCH_SIZE = 200;

/**
 * Publishes committed outbox rows in id order and marks them published. A crash between the
 * change's commit and the publish leaves the row pending, and the next pass publishes it.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  /** A commit arrived while a pass ran: its rows may be after that pass's read, so pass again. */
  private again = false;
  /** The relay's own transactions, whose commits must not wake the relay again. */
  private readonly own = new WeakSet<object>();

  constructor(
    private readonly orm: Orm,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    const tick = () => {
      void this.drain()
        .catch((error: unknown) => this.log.error({ err: error }, 'outbox relay pass failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Publishes everything pending now; returns how many rows it published. Concurrent calls share one pass. */
  drain(): Promise<number> {
    if (!this.running) {
      this.running = this.publishPending().finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.nudge();
        }
      });
    }
    return this.running;
  }

  /** A transaction committed: publish its events now rather than at the next tick. */
  committed(em: object): void {
    if (this.own.has(em) || !this.timer) return;
    this.nudge();
  }

  private nudge(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    void this.drain().catch((error: unknown) =>
      this.log.error({ err: error }, 'outbox relay pass failed'),
    );
  }

  private async publishPending(): Promise<number> {
    let published = 0;
    for (;;) {
      const batch = await this.publishBatch();
      published += batch;
      if (batch < BATCH_SIZE) return published;
    }
  }

  /**
   * Locks a batch of pending rows (skipping rows another instance holds), publishes them, and marks
   * them published in the same transaction. A crash before commit leaves them pending, so they are
   * published again: at least once, and subscribers re-read state, so a repeat is harmless.
   */
  private async publishBatch(): Promise<number> {
    return this.orm.em.fork().transactional(async (em) => {
      this.own.add(em);
      const postgres = em.getDriver() instanceof PostgreSqlDriver;
      const rows = await em.find(
        OutboxEvent,
        { publishedAt: null },
        {
          orderBy: { id: 'asc' },
          limit: BATCH_SIZE,
          ...(postgres ? { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE } : {}),
        },
      );
      for (const row of rows) {
        const payload = JSON.parse(row.payload) as { eventId: string; status: string; at: string };
        await this.bus.publish({
          topic: row.topic,
          tenantId: row.tenantId,
          aggregateId: row.aggregateId,
          status: payload.status,
          at: payload.at,
          eventId: payload.eventId,
        });
        row.publishedAt = new Date();
      }
      return rows.length;
    });
  }
}
