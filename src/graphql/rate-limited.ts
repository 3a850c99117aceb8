import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const RATE_LIMITED = 'RATE_LIMITED';

/**
 * The tenant's allowance for this window is spent. Over HTTP Apollo answers 429 with Retry-After
 * (from `extensions.http`, which it strips from the body); over WebSocket the operation gets this
 * error and the code and retryAfterSeconds say the same.
 */
export function rateLimited(retryAfterSeconds: number, over: 'http' | 'websocket'): GraphQLError {
  const extensions: Record<string, unknown> = { code: RATE_LIMITED, retryAfterSeconds };
  if (over === 'http') {
    extensions.http = {
      status: 429,
      headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]),
    };
  }
  return new GraphQLError(`Too many requests for this tenant; retry in ${retryAfterSeconds} s`, {
    extensions,
  });
}
