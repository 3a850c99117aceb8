import { type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether a `router-authorization` value is the shared secret (HTTP and WebSocket upgrades alike). */
export function isRouterSecret(secret: string): (given: unknown) => boolean {
  const expected = digest(secret);
  return (given) => typeof given === 'string' && timingSafeEqual(digest(given), expected);
}

/**
 * Apollo's subgraph convention: when the subgraph sits behind a router, only the router knows the
 * shared secret, so direct calls to /graphql are refused. Compared as digests, in constant time.
 */
export function routerGate(secret: string) {
  const fromRouter = isRouterSecret(secret);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (fromRouter(request.headers['router-authorization'])) return;
    await reply.code(401).send({
      errors: [
        {
          message: 'Missing or wrong router-authorization header',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
  };
}
