import { hmacSha256Hex } from '../security/secrets';

/** What one POST produced: an HTTP status, or the reason there was none. */
export interface CallbackAnswer {
  status: number | null;
  error: string | null;
}

export interface SignedCallback {
  url: string;
  /** The exact bytes that are signed and sent. */
  rawBody: string;
  signingSecret: string;
  /** Stable across attempts, so a receiver can drop the repeat of a delivery it already took. */
  deliveryId: string;
  now: Date;
  timeoutMs: number;
}

export const CALLBACK_USER_AGENT = 'Bindery-Callback/1.0';

/** The UAE PASS scheme: lowercase hex HMAC-SHA256 over `timestamp + "." + rawBody`. */
export function callbackSignature(secret: string, timestamp: string, rawBody: string): string {
  return hmacSha256Hex(secret, `${timestamp}.${rawBody}`);
}

/** Only the host goes to logs: paths and query strings of callback URLs often carry tokens. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid url)';
  }
}

function failureOf(error: unknown, request: SignedCallback): string {
  const failure = error as { name?: string; message?: string; cause?: { code?: string } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') {
    return `no answer within ${request.timeoutMs} ms`;
  }
  const reason = failure.cause?.code ?? `${failure.name ?? 'Error'}: ${failure.message ?? ''}`;
  // Some fetch errors quote the URL; the record keeps the host only, like the logs.
  return reason.split(request.url).join(hostOf(request.url)).slice(0, 500);
}

/**
 * Signs with a fresh timestamp (receivers refuse stale ones, and a retry can come hours later) and
 * POSTs once. Redirects are not followed: a signed body goes only where the provider registered.
 */
export async function postCallback(request: SignedCallback): Promise<CallbackAnswer> {
  const timestamp = String(Math.floor(request.now.getTime() / 1000));
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': CALLBACK_USER_AGENT,
        'x-timestamp': timestamp,
        'x-uaepass-signature': callbackSignature(request.signingSecret, timestamp, request.rawBody),
        'x-callback-delivery-id': request.deliveryId,
      },
      body: request.rawBody,
    });
    // The answer's body means nothing here; dropping it frees the connection at once.
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, error: null };
  } catch (error) {
    return { status: null, error: failureOf(error, request) };
  }
}
