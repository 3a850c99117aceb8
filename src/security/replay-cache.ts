import { type Redis } from 'ioredis';

/** Signatures seen inside the signature window, so the same signed request cannot be replayed. */
export interface ReplayCache {
  /** True when `key` was not seen before (and records it until `expiresAtMs`); false for a replay. */
  remember(key: string, expiresAtMs: number, nowMs: number): Promise<boolean>;
}

/** In-process: entries expire with the window, and the size is capped. */
export class MemoryReplayCache implements ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  async remember(key: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
    this.evictExpired(nowMs);
    const until = this.seen.get(key);
    if (until !== undefined && until > nowMs) return false;
    if (this.seen.size >= this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.set(key, expiresAtMs);
    return true;
  }

  private evictExpired(nowMs: number): void {
    // Insertion order is roughly expiry order: stop at the first live entry.
    for (const [key, until] of this.seen) {
      if (until > nowMs) break;
      this.seen.delete(key);
    }
  }
}

/**
 * Shared by every instance through Redis (SET NX with the window as TTL), so a request replayed
 * to another instance is refused too. While Redis is unreachable it falls back to this
 * instance's memory rather than refusing every signed caller.
 */
export class RedisReplayCache implements ReplayCache {
  private readonly fallback = new MemoryReplayCache();

  constructor(
    private readonly redis: Redis,
    private readonly onFallback: (error: Error) => void = () => undefined,
  ) {}

  async remember(key: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
    const ttlMs = Math.max(1, expiresAtMs - nowMs);
    try {
      const set = await this.redis.set(`bindery:replay:${key}`, '1', 'PX', ttlMs, 'NX');
      return set === 'OK';
    } catch (error) {
      this.onFallback(error as Error);
      return this.fallback.remember(key, expiresAtMs, nowMs);
    }
  }
}
