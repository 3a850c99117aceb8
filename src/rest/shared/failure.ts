import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type UserError, UserErrorCode } from '../../domain/errors';

/** Why a legacy request failed, in words every family then renders in its own error shape. */
export type FailureReason =
  | 'unauthorized'
  | 'malformed-body'
  | 'body-too-large'
  | 'unsupported-media-type'
  | 'invalid-input'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'internal';

/**
 * Thrown by adapters and turned into the family's body by the family's error handler, so a route
 * reads as its happy path and every refusal of every family has the same status rules.
 */
export class RestFailure extends Error {
  constructor(
    readonly status: number,
    readonly reason: FailureReason,
    message: string,
    /** The field as the legacy caller names it. */
    readonly field?: string,
    /** The service's code when the service refused. */
    readonly userCode?: UserErrorCode,
    /** Sent as Retry-After: when the caller may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'RestFailure';
  }
}

export const unauthorized = (message: string) => new RestFailure(401, 'unauthorized', message);

export const invalidInput = (message: string, field?: string) =>
  new RestFailure(400, 'invalid-input', message, field, UserErrorCode.INVALID_INPUT);

export const notFound = (message: string, field?: string) =>
  new RestFailure(404, 'not-found', message, field, UserErrorCode.NOT_FOUND);

export const tooManyRequests = (retryAfterSeconds: number) =>
  new RestFailure(
    429,
    'rate-limited',
    `Too many requests for this tenant; retry in ${retryAfterSeconds} s`,
    undefined,
    undefined,
    retryAfterSeconds,
  );

/** Service field name -> the name the legacy family uses for it. */
export type FieldNames = Readonly<Record<string, string>>;

function statusOf(code: UserErrorCode): { status: number; reason: FailureReason } {
  switch (code) {
    case UserErrorCode.INVALID_INPUT:
      return { status: 400, reason: 'invalid-input' };
    case UserErrorCode.NOT_FOUND:
      return { status: 404, reason: 'not-found' };
    case UserErrorCode.ATTEMPT_LIMIT_EXCEEDED:
      return { status: 429, reason: 'rate-limited' };
    default:
      // The request was well formed but the registration's state refuses it.
      return { status: 409, reason: 'conflict' };
  }
}

/**
 * A service refusal as a RestFailure. Service messages start with the service's field name
 * ("osVersion is required"); the legacy caller should read its own name ("version is required").
 */
export function failureOf(error: UserError, names: FieldNames = {}): RestFailure {
  const { status, reason } = statusOf(error.code);
  const serviceField = error.field?.[0];
  const field = serviceField === undefined ? undefined : (names[serviceField] ?? serviceField);
  const message =
    serviceField !== undefined && field !== serviceField && error.message.startsWith(serviceField)
      ? field + error.message.slice(serviceField.length)
      : error.message;
  return new RestFailure(status, reason, message, field, error.code);
}

/** Errors Fastify raises before a handler runs (body parsing, limits) keep their 4xx status. */
function failureOfThrown(error: unknown): RestFailure {
  if (error instanceof RestFailure) return error;
  const { statusCode, message } = error as { statusCode?: unknown; message?: unknown };
  const status = typeof statusCode === 'number' ? statusCode : 500;
  if (status < 400 || status >= 500) return new RestFailure(500, 'internal', 'Internal error');
  const text = typeof message === 'string' && message !== '' ? message : 'Bad request';
  if (status === 413) return new RestFailure(413, 'body-too-large', 'The body exceeds 64 KiB');
  if (status === 415) return new RestFailure(415, 'unsupported-media-type', text);
  return new RestFailure(status, 'malformed-body', text);
}

export type FailureRenderer = (failure: RestFailure, request: FastifyRequest) => unknown;

/** Every error of the scope, expected or not, leaves in the family's own error shape. */
export function renderFailuresAs(scope: FastifyInstance, render: FailureRenderer): void {
  scope.setErrorHandler((error, request, reply) => {
    const failure = failureOfThrown(error);
    if (failure.status >= 500) request.log.error({ err: error }, 'legacy request failed');
    if (failure.retryAfterSeconds)
      void reply.header('retry-after', String(failure.retryAfterSeconds));
    return reply.code(failure.status).send(render(failure, request));
  });
}
