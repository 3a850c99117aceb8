import { type FastifyInstance, type FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received: signatures are computed over these bytes. */
    rawBody?: string;
  }
}

export const REST_BODY_LIMIT = 64 * 1024;

export class MalformedBodyError extends Error {
  readonly statusCode = 400;
  readonly code = 'MALFORMED_BODY';
}

/**
 * JSON bodies for the legacy routes, kept raw for signature checks. Legacy callers send JSON as
 * text/plain too (the Enstage samples do), so both parse as JSON. Scoped to the plugin that calls it.
 */
export function acceptJsonBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'string', bodyLimit: REST_BODY_LIMIT },
    (
      request: FastifyRequest,
      body: string | Buffer,
      done: (err: Error | null, body?: unknown) => void,
    ) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      request.rawBody = text;
      if (text.trim() === '') return done(null, {});
      try {
        done(null, JSON.parse(text));
      } catch {
        done(new MalformedBodyError('The body is not valid JSON'));
      }
    },
  );
}

/** A JSON object body, or null when the body is another JSON value. */
export function objectBody(request: FastifyRequest): Record<string, unknown> | null {
  const body = request.body;
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : null;
}

/** The string fields of a body; non-strings come back as undefined and fail the service's checks. */
export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}
