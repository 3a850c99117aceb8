import { type FastifyRequest } from 'fastify';
import { type Tenant } from '../../persistence/entities';
import { verifySignedRequest } from '../../security/signed-request';
import { type RestDeps } from '../shared/deps';
import { type AccessTokenStore } from './access-tokens';
import { verifyIdToken } from './id-token';

export type ConsentAuthFailure =
  | 'missing-headers'
  | 'unknown-access-token'
  | 'bad-id-token'
  | 'stale'
  | 'bad-signature'
  | 'replayed';

export type ConsentAuth = { ok: true; tenant: Tenant } | { ok: false; reason: ConsentAuthFailure };

const JWS_AUTHORIZATION = /^JWS\s+(\S+)$/i;

/** A header sent once; a repeated header (an array) counts as missing rather than guessed at. */
function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * UAE PASS's consent-call credentials: the access token names the tenant, whose signingSecret
 * must have signed `timestamp + "." + rawBody`; an `Authorization: JWS <id_token>`, when sent,
 * must be that tenant's unexpired id_token. Any other Authorization scheme is refused rather
 * than ignored, so a caller never believes a credential was checked when it was not.
 */
export async function authenticateConsentCall(
  request: FastifyRequest,
  deps: RestDeps,
  tokens: AccessTokenStore,
): Promise<ConsentAuth> {
  const accessToken = singleHeader(request, 'x-up-accesstoken');
  const timestamp = singleHeader(request, 'x-timestamp');
  const signature = singleHeader(request, 'x-uaepass-signature');
  if (!accessToken || !timestamp || !signature) return { ok: false, reason: 'missing-headers' };

  const nowMs = deps.clock().getTime();
  const grant = tokens.find(accessToken, nowMs);
  const tenant = grant ? await deps.tenants.findBySpId(grant.spId) : null;
  // The id check catches a tenant deleted and its spId reused while the token still lived.
  if (!grant || !tenant || tenant.id !== grant.tenantId) {
    return { ok: false, reason: 'unknown-access-token' };
  }
  const secret = deps.tenants.signingSecretOf(tenant);

  // Checked before the signature, which is remembered for replay once it verifies: a request
  // refused for its id_token can be corrected and sent again with the same signature.
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const idToken = JWS_AUTHORIZATION.exec(authorization.trim())?.[1];
    const nowSeconds = Math.floor(nowMs / 1000);
    if (!idToken || !verifyIdToken(idToken, secret, { spId: tenant.spId, nowSeconds })) {
      return { ok: false, reason: 'bad-id-token' };
    }
  }

  const verdict = await verifySignedRequest({
    secret,
    timestamp,
    signature,
    signedText: (sentTimestamp) => `${sentTimestamp}.${request.rawBody ?? ''}`,
    timestampUnit: 's',
    nowMs,
    replays: deps.replays,
  });
  if (verdict !== 'ok')
    return { ok: false, reason: verdict === 'missing' ? 'missing-headers' : verdict };
  return { ok: true, tenant };
}
