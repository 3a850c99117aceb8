import { type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Apollo's subgraph convention: when the subgraph sits behind a router, only the router knows the
 * shared secret, so direct calls to /graphql are refused. Compared as digests, in constant time.
 */
export function routerGate(secret: string) {
  const expected = digest(secret);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const given = request.headers['router-authorization'];
    if (typeof given === 'string' && timingSafeEqual(digest(given), expected)) return;
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
