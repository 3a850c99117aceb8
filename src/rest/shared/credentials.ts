import { type FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { type Tenant } from '../../persistence/entities';
import { callerOf } from '../../services';
import { type Caller } from '../../services';
import { verifySignedRequest, type SignatureVerdict } from '../../security/signed-request';
import { type RestDeps } from './deps';
import { tooManyRequests, unauthorized } from './failure';
import { headerOf } from './request-fields';

/** The tenant's caller once the request fits its allowance; over it, 429 with Retry-After. */
export async function admitted(tenant: Tenant, deps: RestDeps): Promise<Caller> {
  const admission = await deps.limits.admit(tenant.id);
  if (!admission.allowed) throw tooManyRequests(admission.retryAfterSeconds);
  return callerOf(tenant);
}

/** X-API-KEY + X-API-TOKEN (Enstage-style). */
export async function callerByApiKey(request: FastifyRequest, deps: RestDeps): Promise<Caller> {
  const apiKey = headerOf(request, 'x-api-key');
  const apiToken = headerOf(request, 'x-api-token');
  if (!apiKey || !apiToken) throw unauthorized('X-API-KEY and X-API-TOKEN headers are required');
  const tenant = await deps.tenants.authenticateApiKey(apiKey, apiToken);
  if (!tenant) throw unauthorized('X-API-KEY or X-API-TOKEN is not valid');
  return admitted(tenant, deps);
}

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/** Authorization: Basic base64(keyId:keySecret) (Razorpay-style). */
export async function callerByBasicAuth(request: FastifyRequest, deps: RestDeps): Promise<Caller> {
  const match = BASIC.exec(headerOf(request, 'authorization') ?? '');
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  // RFC 7617: the user-id cannot hold a colon, so the first one splits id from secret.
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw unauthorized('HTTP Basic credentials (key id and secret) are required');
  const tenant = await deps.tenants.authenticateBasic(
    decoded.slice(0, colon),
    decoded.slice(colon + 1),
  );
  if (!tenant) throw unauthorized('The key id or key secret is not valid');
  return admitted(tenant, deps);
}

const SIGNATURE_REFUSALS: Record<Exclude<SignatureVerdict, 'ok'>, string> = {
  missing: 'x-timestamp and x-merchant-signature headers are required',
  stale: 'x-timestamp is more than 300 seconds from the server clock',
  'bad-signature': 'x-merchant-signature does not match the request',
  replayed: 'This signed request was already received',
};

/** Signs nothing anyone knows: unknown merchants still pay for an HMAC, as wrong signatures do. */
const UNKNOWN_MERCHANT_SECRET = randomBytes(32).toString('hex');

/**
 * x-merchant-id, x-merchant-channel-id, x-timestamp (ms) and x-merchant-signature = HMAC-SHA256
 * over `merchantId|merchantChannelId|timestamp|rawBody` with the tenant's signing secret (Juspay).
 */
export async function callerByMerchantSignature(
  request: FastifyRequest,
  deps: RestDeps,
): Promise<Caller> {
  const merchantId = headerOf(request, 'x-merchant-id');
  const merchantChannelId = headerOf(request, 'x-merchant-channel-id');
  if (!merchantId || !merchantChannelId) {
    throw unauthorized('x-merchant-id and x-merchant-channel-id headers are required');
  }
  const tenant = await deps.tenants.findByMerchant(merchantId, merchantChannelId);
  const verdict = await verifySignedRequest({
    secret: tenant ? deps.tenants.signingSecretOf(tenant) : UNKNOWN_MERCHANT_SECRET,
    timestamp: headerOf(request, 'x-timestamp'),
    signature: headerOf(request, 'x-merchant-signature'),
    signedText: (timestamp) =>
      `${merchantId}|${merchantChannelId}|${timestamp}|${request.rawBody ?? ''}`,
    timestampUnit: 'ms',
    nowMs: deps.clock().getTime(),
    replays: deps.replays,
  });
  if (verdict !== 'ok') throw unauthorized(SIGNATURE_REFUSALS[verdict]);
  if (!tenant) throw unauthorized('x-merchant-id or x-merchant-channel-id is not known');
  return admitted(tenant, deps);
}
