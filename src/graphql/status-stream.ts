import { type EventBus, type PublishedEvent, RESYNC_TOPIC } from '../events/pubsub';

export interface StatusStreamSource<T> {
  events: EventBus;
  /** Whether a published event concerns the watched aggregate. */
  concerns(event: PublishedEvent): boolean;
  /** A fresh snapshot from the database (never a request cache); null when it is gone. */
  read(): Promise<T | null>;
  statusOf(snapshot: T): string;
  isFinal(status: string): boolean;
  /** Called before each snapshot after the first is handed out (clears request caches). */
  beforeNext?(): void;
}

/** Wakes the reader when events arrive; several events before it reads wake it once. */
class Wakeup {
  private pending = false;
  private closed = false;
  private waiter: (() => void) | null = null;

  signal(): void {
    this.pending = true;
    this.release();
  }

  close(): void {
    this.closed = true;
    this.release();
  }

  /** Resolves true after an event, false once closed. */
  async wait(): Promise<boolean> {
    while (!this.pending && !this.closed) {
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    this.pending = false;
    return !this.closed;
  }

  private release(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

async function* follow<T>(
  source: StatusStreamSource<T>,
  first: T,
  wakeup: Wakeup,
  stop: () => void,
): AsyncGenerator<T> {
  try {
    let status = source.statusOf(first);
    yield first;
    while (!source.isFinal(status) && (await wakeup.wait())) {
      const snapshot = await source.read();
      if (!snapshot) return;
      if (source.statusOf(snapshot) === status) continue;
      status = source.statusOf(snapshot);
      source.beforeNext?.();
      yield snapshot;
    }
  } finally {
    stop();
  }
}

/**
 * The current state, then each status change, ending after a final status. The bus is joined
 * before the first read so a change committed in between is not missed. Answers null when there
 * is nothing to watch; the caller turns that into its NOT_FOUND error.
 */
export async function statusStream<T>(
  source: StatusStreamSource<T>,
): Promise<AsyncIterableIterator<T> | null> {
  const wakeup = new Wakeup();
  const unsubscribe = source.events.subscribe((event) => {
    if (event.topic === RESYNC_TOPIC || source.concerns(event)) wakeup.signal();
  });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    wakeup.close();
  };
  let first: T | null;
  try {
    first = await source.read();
  } catch (error) {
    stop();
    throw error;
  }
  if (!first) {
    stop();
    return null;
  }
  const generator = follow(source, first, wakeup, stop);
  // A generator closed while it awaits an event, or before it started, would not reach its
  // `finally`; stopping here first wakes it and leaves the bus at once.
  const iterator: AsyncIterableIterator<T> = {
    next: () => generator.next(),
    return: (value?: unknown) => {
      stop();
      return generator.return(value as T);
    },
    throw: (error?: unknown) => {
      stop();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
