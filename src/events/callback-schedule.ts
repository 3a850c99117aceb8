/** When a failed callback is tried again, and when Bindery stops trying. Pure: no I/O, no clock. */

export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 60 * 60 * 1000;
/** The contract promises retries until a 2xx or 24 h pass. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * The wait after `failedAttempts` failures: 1 s, 2 s, 4 s … capped at 1 h. The jitter draws from
 * the upper half of that ceiling, so callbacks that failed together (one service provider down)
 * do not all return together, and no wait is ever longer than the schedule says.
 */
export function retryDelayMs(failedAttempts: number, random: () => number = Math.random): number {
  // The exponent stops growing long before 2 ** n could overflow; the cap has taken over by then.
  const exponent = Math.min(Math.max(failedAttempts, 1) - 1, 32);
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * The next attempt after a failure at `now`, or null to give up. The last try lands on the 24 h
 * mark itself rather than before it, so the full window is used.
 */
export function nextAttemptAt(
  createdAt: Date,
  failedAttempts: number,
  now: Date,
  random: () => number = Math.random,
): Date | null {
  const deadline = createdAt.getTime() + GIVE_UP_AFTER_MS;
  if (now.getTime() >= deadline) return null;
  return new Date(Math.min(now.getTime() + retryDelayMs(failedAttempts, random), deadline));
}
