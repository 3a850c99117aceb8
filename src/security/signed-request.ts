import { hmacSha256Hex, safeEqualHex } from './secrets';
import { type ReplayCache } from './replay-cache';

export const SIGNATURE_WINDOW_SECONDS = 300;

export type SignatureVerdict = 'ok' | 'missing' | 'stale' | 'bad-signature' | 'replayed';

export interface SignedRequestCheck {
  secret: string;
  /** Header value as sent. */
  timestamp: string | undefined;
  signature: string | undefined;
  /** The exact bytes that were signed, built from the raw body by the caller's scheme. */
  signedText: (timestamp: string) => string;
  /** Seconds (UAE PASS, VMN) or milliseconds (Juspay). */
  timestampUnit: 's' | 'ms';
  nowMs: number;
  replays: ReplayCache;
}

/** Timestamp within ±300 s, HMAC-SHA256 hex compared in constant time, each signature accepted once. */
export async function verifySignedRequest(check: SignedRequestCheck): Promise<SignatureVerdict> {
  const { timestamp, signature } = check;
  if (!timestamp || !signature) return 'missing';
  if (!/^\d{1,16}$/.test(timestamp)) return 'stale';
  const sentMs = Number(timestamp) * (check.timestampUnit === 's' ? 1000 : 1);
  if (Math.abs(check.nowMs - sentMs) > SIGNATURE_WINDOW_SECONDS * 1000) return 'stale';
  const expected = hmacSha256Hex(check.secret, check.signedText(timestamp));
  if (!safeEqualHex(expected, signature.trim().toLowerCase())) return 'bad-signature';
  const forgetAt = Math.max(sentMs, check.nowMs) + SIGNATURE_WINDOW_SECONDS * 1000;
  if (!(await check.replays.remember(signature.trim().toLowerCase(), forgetAt, check.nowMs))) {
    return 'replayed';
  }
  return 'ok';
}
