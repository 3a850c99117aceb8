import { unwrapResolverError } from '@apollo/server/errors';
import { type GraphQLFormattedError, GraphQLError } from 'graphql';
import { type Logger } from 'pino';

/**
 * Errors the code raises on purpose are GraphQLErrors with a code; anything else (a driver
 * failure, a bug) is logged with its cause and answered with a fixed text, so no SQL, value
 * or stack reaches a client.
 */
export function hideInternalErrors(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const cause = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    if (cause instanceof GraphQLError || (code && code !== 'INTERNAL_SERVER_ERROR'))
      return formatted;
    log.error(
      { errName: (cause as Error)?.name, path: formatted.path },
      'internal error answered as such',
    );
    return {
      message: 'Internal error',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
