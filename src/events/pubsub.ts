import { EventEmitter } from 'node:events';

export interface PublishedEvent {
  topic: string;
  tenantId: string;
  aggregateId: string;
  status: string;
  at: string;
  eventId: string;
}

/** Sent to every listener when events may have been missed (a Redis reconnect): re-read state. */
export const RESYNC_TOPIC = 'bus.resync';

/** Fan-out of committed status changes. In-process here; a Redis implementation shares the shape. */
export interface EventBus {
  publish(event: PublishedEvent): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: PublishedEvent) => void): () => void;
  close(): Promise<void>;
}

export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every live subscription listens here; the WebSocket server enforces its own caps.
    this.emitter.setMaxListeners(0);
  }

  async publish(event: PublishedEvent): Promise<void> {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: PublishedEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
