import { lookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type LookupFunction } from 'node:net';
import { isPublicAddress, namesNonPublicHost } from '../domain/public-address';
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
  /** Loopback, private and link-local receivers are reached only when this is set. */
  privateNetworks: boolean;
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
  const failure = error as { name?: string; message?: string; code?: string };
  if (failure.name === 'TimeoutError') return `no answer within ${request.timeoutMs} ms`;
  const reason = failure.code ?? `${failure.name ?? 'Error'}: ${failure.message ?? ''}`;
  // Some errors quote the URL; the record keeps the host only, like the logs.
  return reason.split(request.url).join(hostOf(request.url)).slice(0, 500);
}

const NOT_PUBLIC = 'the host is not on the public internet';

/**
 * Resolves as usual, then refuses the lot when any answer is not a public address. The address
 * checked is the address connected to, so a name that re-resolves elsewhere (DNS rebinding)
 * gains nothing.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address))) {
      return callback(Object.assign(new Error(NOT_PUBLIC), { code: NOT_PUBLIC }), '', 0);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

/**
 * Signs with a fresh timestamp (receivers refuse stale ones, and a retry can come hours later) and
 * POSTs once. Redirects are not followed: a signed body goes only where the provider registered.
 * Unless private networks are allowed, only public addresses are connected to.
 */
export function postCallback(request: SignedCallback): Promise<CallbackAnswer> {
  const url = new URL(request.url);
  if (!request.privateNetworks && namesNonPublicHost(url)) {
    return Promise.resolve({ status: null, error: NOT_PUBLIC });
  }
  const timestamp = String(Math.floor(request.now.getTime() / 1000));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const outgoing = send(
      url,
      {
        method: 'POST',
        lookup: request.privateNetworks ? undefined : publicOnlyLookup,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(request.rawBody),
          'user-agent': CALLBACK_USER_AGENT,
          'x-timestamp': timestamp,
          'x-uaepass-signature': callbackSignature(
            request.signingSecret,
            timestamp,
            request.rawBody,
          ),
          'x-callback-delivery-id': request.deliveryId,
        },
      },
      (response) => {
        clearTimeout(timer);
        // The answer's body means nothing here, and a receiver trickling one must not hold us.
        response.destroy();
        resolve({ status: response.statusCode ?? null, error: null });
      },
    );
    const timer = setTimeout(
      () => outgoing.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })),
      request.timeoutMs,
    );
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: null, error: failureOf(error, request) });
    });
    outgoing.end(request.rawBody);
  });
}
