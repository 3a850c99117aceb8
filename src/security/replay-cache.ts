/**
 * Remembers signatures seen inside the signature window so the same signed request cannot be
 * replayed. In-process; entries expire with the window, and the size is capped.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  /** True when `key` was not seen before (and records it); false for a replay. */
  remember(key: string, expiresAtMs: number, nowMs: number): boolean {
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
