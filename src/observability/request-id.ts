import { type FastifyInstance } from 'fastify';

/**
 * Answers every request with the id its log lines carry (the caller's valid `x-request-id`, or
 * the one genReqId made), so a caller reporting a failure can name the lines to look for.
 * A plain callback hook: it runs on every request and needs no promise.
 */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
}
