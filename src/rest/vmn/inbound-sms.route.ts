import { type FastifyInstance } from 'fastify';
import { type UserError } from '../../domain/errors';
import { verifySignedRequest } from '../../security/signed-request';
import { type RestDeps } from '../shared/deps';
import { objectBody, stringField } from '../shared/raw-body';

const SIGNATURE_ERRORS = {
  missing: 'X-Timestamp and X-Signature headers are required',
  stale: 'X-Timestamp is more than 300 seconds from the server clock',
  'bad-signature': 'X-Signature does not match the body',
  replayed: 'This signed request was already received',
} as const;

function invalid(
  reply: { code: (n: number) => { send: (b: unknown) => unknown } },
  errors: UserError[],
) {
  return reply.code(400).send({
    status: 'REJECTED',
    errors: errors.map((e) => ({ code: e.code, message: e.message, field: e.field?.[0] ?? null })),
  });
}

/** POST /v1/vmn/inbound-sms: the aggregator reports which number sent which SMS to the VMN. */
export async function vmnRoutes(app: FastifyInstance, options: RestDeps): Promise<void> {
  // Body errors (malformed JSON, too large, wrong type) answer in this route's own shape.
  app.setErrorHandler(
    (error: { statusCode?: number; code?: string; message: string }, request, reply) => {
      const status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
      if (status === 500)
        request.log.error({ errName: (error as Error).name }, 'inbound sms failed');
      const message = status === 500 ? 'Internal error' : error.message;
      return reply.code(status).send({
        status: 'REJECTED',
        errors: [{ code: error.code ?? 'INVALID_INPUT', message, field: null }],
      });
    },
  );
  app.post('/v1/vmn/inbound-sms', async (request, reply) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const verdict = await verifySignedRequest({
      secret: options.config.vmnWebhookSecret,
      timestamp: header('x-timestamp'),
      signature: header('x-signature'),
      signedText: (timestamp) => `${timestamp}.${request.rawBody ?? ''}`,
      timestampUnit: 's',
      nowMs: options.clock().getTime(),
      replays: options.replays,
    });
    if (verdict !== 'ok') {
      return reply.code(401).send({ status: 'UNAUTHORIZED', error: SIGNATURE_ERRORS[verdict] });
    }
    const body = objectBody(request);
    if (!body)
      return reply.code(400).send({
        status: 'REJECTED',
        errors: [{ code: 'INVALID_INPUT', message: 'The body must be a JSON object', field: null }],
      });
    const outcome = await options.services.inboundSms.accept({
      messageId: stringField(body, 'messageId') as string,
      from: stringField(body, 'from') as string,
      to: stringField(body, 'to') as string,
      content: stringField(body, 'content') as string,
      receivedAt: stringField(body, 'receivedAt') as string,
    });
    if (!outcome.ok) return invalid(reply, outcome.errors);
    return reply.code(200).send({
      status: 'ACCEPTED',
      messageId: outcome.value.messageId,
      duplicate: outcome.value.duplicate,
    });
  });
}
