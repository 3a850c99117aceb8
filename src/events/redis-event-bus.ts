import { Redis } from 'ioredis';
import { type Logger } from 'pino';
import { type EventBus, type PublishedEvent, RESYNC_TOPIC } from './pubsub';

const CHANNEL = 'bindery:status-events';

/**
 * Fans committed events out across instances through one Redis channel; every instance (this one
 * included) hears them from Redis. After a reconnect, listeners get a resync event so live
 * subscriptions re-read their state and anything published during the outage is not missed.
 */
export class RedisEventBus implements EventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<(event: PublishedEvent) => void>();
  private connectedOnce = false;

  private constructor(
    url: string,
    private readonly log: Logger,
  ) {
    // Publishing fails fast while Redis is away, so the outbox relay keeps the rows and retries.
    this.publisher = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    this.subscriber = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null });
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) =>
        this.log.warn({ err: error.message }, 'redis connection error'),
      );
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== CHANNEL) return;
      try {
        this.deliver(JSON.parse(message) as PublishedEvent);
      } catch (error) {
        this.log.error({ err: error }, 'unreadable event on the redis channel');
      }
    });
    this.subscriber.on('ready', () => {
      if (this.connectedOnce) {
        this.log.info('redis reconnected: live subscriptions re-read their state');
        this.deliver({
          topic: RESYNC_TOPIC,
          tenantId: '',
          aggregateId: '',
          status: '',
          at: new Date().toISOString(),
          eventId: '',
        });
      }
      this.connectedOnce = true;
    });
  }

  static async connect(url: string, log: Logger): Promise<RedisEventBus> {
    const bus = new RedisEventBus(url, log);
    await Promise.all([bus.publisher.connect(), bus.subscriber.connect()]);
    await bus.subscriber.subscribe(CHANNEL);
    return bus;
  }

  async publish(event: PublishedEvent): Promise<void> {
    await this.publisher.publish(CHANNEL, JSON.stringify(event));
  }

  subscribe(listener: (event: PublishedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The publishing connection, for other small shared state (it fails fast while Redis is away). */
  get client(): Redis {
    return this.publisher;
  }

  /** Whether both connections are up (for readiness). */
  get ready(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private deliver(event: PublishedEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
