import { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { type ConsentTransaction } from '../../persistence/entities';

/** UAE PASS answers every consent call as `{code, desc: {ar, en}}`, with `data` on success. */
export interface UaePassBody {
  code: string;
  desc: { ar: string; en: string };
  data?: { spTransactionID: string; uaePassTransactionID: string; status: string };
}

export interface UaePassAnswer {
  status: number;
  body: UaePassBody;
  retryAfterSeconds?: number;
}

const answer = (status: number, code: string, en: string, ar: string): UaePassAnswer => ({
  status,
  body: { code, desc: { ar, en } },
});

/** The seed's success envelope; INIT_FAILED is a status of the transaction, not a failed call. */
export function consentAnswer(consent: ConsentTransaction): UaePassAnswer {
  return {
    status: 200,
    body: {
      code: '0',
      desc: { ar: 'نجاح', en: 'success' },
      data: {
        spTransactionID: consent.spTransactionId,
        uaePassTransactionID: consent.uaePassTransactionId,
        status: consent.status,
      },
    },
  };
}

// The seed fixes this body for every authentication failure; it says nothing about which check
// failed, so a caller probing credentials learns nothing either.
export const UNAUTHORIZED = answer(401, '401', 'UNAUTHORIZED', 'UNAUTHORIZED');

/** Seed 002, byte for byte (including its Arabic wording), with the spId the caller sent. */
export const spNotFound = (spId: string) =>
  answer(
    404,
    'CONS_1000012',
    `Service Provider [${spId}] is not found.`,
    `مقدم الخدمة [${spId}] غير موجودة.`,
  );

/** Seed 002, byte for byte, with the spTransactionID the caller sent. */
export const transactionNotFound = (spTransactionID: string) =>
  answer(
    404,
    'CONS_1000010',
    `Transaction id [${spTransactionID}] is not found.`,
    `المعاملة رقم [${spTransactionID}] غير موجودة.`,
  );

export const duplicateTransaction = (spTransactionID: string) =>
  answer(
    409,
    '409',
    `Transaction id [${spTransactionID}] already exists.`,
    `المعاملة رقم [${spTransactionID}] موجودة مسبقاً.`,
  );

/** One 400 naming every offending field; `details` are the person-readable English reasons. */
export function invalidFields(fields: string[], details: string[]): UaePassAnswer {
  const list = fields.join(', ');
  const ar =
    fields.length > 1
      ? `الحقول [${list}] مفقودة أو غير صالحة.`
      : `الحقل [${list}] مفقود أو غير صالح.`;
  return answer(400, '400', `Invalid request [${list}]: ${details.join('; ')}.`, ar);
}

/** The tenant's allowance for this window is spent; Retry-After says when the next one opens. */
export const tooManyRequests = (retryAfterSeconds: number): UaePassAnswer => ({
  ...answer(
    429,
    '429',
    `Too many requests; retry in ${retryAfterSeconds} seconds.`,
    `عدد الطلبات كبير جداً؛ أعد المحاولة بعد ${retryAfterSeconds} ثانية.`,
  ),
  retryAfterSeconds,
});

export const NOT_AN_OBJECT = answer(
  400,
  '400',
  'The request body must be a JSON object.',
  'يجب أن يكون نص الطلب كائن JSON.',
);

const MALFORMED = answer(
  400,
  '400',
  'The request body is not valid JSON.',
  'نص الطلب ليس بصيغة JSON صالحة.',
);
const TOO_LARGE = answer(
  413,
  '413',
  'The request body is larger than 64 KiB.',
  'حجم نص الطلب أكبر من 64 كيلوبايت.',
);
const UNSUPPORTED_MEDIA = answer(
  415,
  '415',
  'Unsupported Content-Type; send application/json.',
  'نوع المحتوى غير مدعوم؛ أرسل application/json.',
);
const BAD_REQUEST = answer(400, '400', 'Bad request.', 'طلب غير صالح.');
const INTERNAL = answer(500, '500', 'Internal server error.', 'خطأ داخلي في الخادم.');

export function send(
  reply: FastifyReply,
  { status, body, retryAfterSeconds }: UaePassAnswer,
): FastifyReply {
  if (retryAfterSeconds) void reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(status).send(body);
}

/**
 * Errors raised before a handler runs (body parsing, size limit, media type) in UAE PASS's
 * shape with their own 4xx status. Fixed texts: framework messages are not part of the contract.
 */
export function uaePassErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) {
    request.log.error({ err: error }, 'uaepass request failed');
    return send(reply, INTERNAL);
  }
  if (status === 413) return send(reply, TOO_LARGE);
  if (status === 415) return send(reply, UNSUPPORTED_MEDIA);
  if (error.code === 'MALFORMED_BODY') return send(reply, MALFORMED);
  return send(reply, { status, body: BAD_REQUEST.body });
}
