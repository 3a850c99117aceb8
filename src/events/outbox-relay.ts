import { type Logger } from 'pino';
import { OutboxEvent } from '../persistence/entities';
import { type Orm } from '../persistence/orm';
import { type EventBus } from './pubsub';

const BATCH_SIZE = 200;

/**
 * Publishes committed outbox rows in id order and marks them published. A row is claimed by a
 * conditional update first, so with several instances each row is published once; a crash after
 * commit and before publish leaves the row unpublished, and the next pass publishes it.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

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
      });
    }
    return this.running;
  }

  private async publishPending(): Promise<number> {
    let published = 0;
    for (;;) {
      const em = this.orm.em.fork();
      const rows = await em.find(
        OutboxEvent,
        { publishedAt: null },
        { orderBy: { id: 'asc' }, limit: BATCH_SIZE },
      );
      if (rows.length === 0) return published;
      for (const row of rows) {
        const claimed = await em.nativeUpdate(
          OutboxEvent,
          { id: row.id, publishedAt: null },
          { publishedAt: new Date() },
        );
        if (claimed === 0) continue;
        const payload = JSON.parse(row.payload) as { eventId: string; status: string; at: string };
        await this.bus.publish({
          topic: row.topic,
          tenantId: row.tenantId,
          aggregateId: row.aggregateId,
          status: payload.status,
          at: payload.at,
          eventId: payload.eventId,
        });
        published++;
      }
      if (rows.length < BATCH_SIZE) return published;
    }
  }
}
