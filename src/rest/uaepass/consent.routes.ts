import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { callerOf } from '../../services';
import { type UserError, UserErrorCode } from '../../domain/errors';
import { InputCheck, LIMITS } from '../../domain/validation';
import { type Tenant } from '../../persistence/entities';
import { type RestDeps } from '../shared/deps';
import { objectBody } from '../shared/raw-body';
import { type AccessTokenStore } from './access-tokens';
import { authenticateConsentCall } from './consent-auth';
import {
  consentAnswer,
  duplicateTransaction,
  invalidFields,
  NOT_AN_OBJECT,
  send,
  spNotFound,
  transactionNotFound,
  tooManyRequests,
  UNAUTHORIZED,
  uaePassErrorHandler,
} from './envelope';

const SP_ID_MAX = 128;

/** The service names the customer merchantCustomerId; UAE PASS callers know it as identifier. */
const LEGACY_FIELD: Record<string, string> = { merchantCustomerId: 'identifier' };

function legacyErrors(errors: UserError[]) {
  const fields = errors.map((e) => {
    const field = e.field?.[0] ?? 'body';
    return LEGACY_FIELD[field] ?? field;
  });
  const details = errors.map((e) =>
    e.message.replace(/^merchantCustomerId\b/, LEGACY_FIELD.merchantCustomerId),
  );
  return invalidFields(fields, details);
}

/** Digits-only strings count as numbers: form-minded callers send "300" as readily as 300. */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'string' && /^\d{1,9}$/.test(value)) return Number(value);
  return value as number | undefined;
}

/**
 * Runs the UAE PASS credential checks, then the body's spId check: a body naming any spId but
 * the token's own answers exactly like an spId that does not exist.
 */
async function authorized(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: RestDeps,
  tokens: AccessTokenStore,
  fieldChecks: (check: InputCheck, body: Record<string, unknown>) => InputCheck,
): Promise<{ tenant: Tenant; body: Record<string, unknown> } | null> {
  const auth = await authenticateConsentCall(request, deps, tokens);
  if (!auth.ok) {
    request.log.info({ reason: auth.reason }, 'uaepass consent call refused');
    send(reply, UNAUTHORIZED);
    return null;
  }
  const admission = await deps.limits.admit(auth.tenant.id);
  if (!admission.allowed) {
    send(reply, tooManyRequests(admission.retryAfterSeconds));
    return null;
  }
  const body = objectBody(request);
  if (!body) {
    send(reply, NOT_AN_OBJECT);
    return null;
  }
  const check = fieldChecks(new InputCheck(), body);
  if (check.errors.length > 0) {
    send(reply, legacyErrors(check.errors));
    return null;
  }
  if (body.spId !== auth.tenant.spId) {
    send(reply, spNotFound(body.spId as string));
    return null;
  }
  return { tenant: auth.tenant, body };
}

/** POST /api/v1/consent/transaction/send and /status (seed 002). */
export async function consentRoutes(
  app: FastifyInstance,
  deps: RestDeps,
  tokens: AccessTokenStore,
): Promise<void> {
  app.setErrorHandler(uaePassErrorHandler);

  app.post('/api/v1/consent/transaction/send', async (request, reply) => {
    const call = await authorized(request, reply, deps, tokens, (check, body) =>
      check.text('spId', body.spId as string, SP_ID_MAX),
    );
    if (!call) return reply;
    const { body, tenant } = call;
    const spTransactionID = body.spTransactionID as string;
    const outcome = await deps.services.consents.requestConsent(callerOf(tenant), {
      spTransactionID,
      merchantCustomerId: body.identifier as string,
      purpose: body.purpose as string,
      expiresInSeconds: wholeNumber(body.expiresInSeconds),
      callbackUrl: body.callbackUrl as string | undefined,
    });
    if (outcome.ok) return send(reply, consentAnswer(outcome.value));
    if (outcome.errors.some((e) => e.code === UserErrorCode.DUPLICATE_TRANSACTION)) {
      return send(reply, duplicateTransaction(spTransactionID));
    }
    return send(reply, legacyErrors(outcome.errors));
  });

  app.post('/api/v1/consent/transaction/status', async (request, reply) => {
    const call = await authorized(request, reply, deps, tokens, (check, body) =>
      check
        .text('spTransactionID', body.spTransactionID as string, LIMITS.spTransactionID)
        .text('spId', body.spId as string, SP_ID_MAX),
    );
    if (!call) return reply;
    const { body, tenant } = call;
    const spTransactionID = body.spTransactionID as string;
    // Scoped to the caller's tenant: another tenant's transaction is simply not found.
    const consent = await deps.services.consents.findConsent(
      callerOf(tenant),
      tenant.spId,
      spTransactionID,
    );
    if (!consent) return send(reply, transactionNotFound(spTransactionID));
    return send(reply, consentAnswer(consent));
  });
}
