import {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { type RestDeps } from '../shared/deps';
import { REST_BODY_LIMIT } from '../shared/raw-body';
import { type AccessTokenStore, ACCESS_TOKEN_TTL_SECONDS } from './access-tokens';
import { signIdToken } from './id-token';

type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'unsupported_grant_type'
  | 'server_error'
  | 'too_many_requests';

/**
 * The token endpoint speaks OAuth 2.0 (RFC 6749 §5.2) rather than UAE PASS's `{code, desc}`:
 * the seed fixes that envelope only for the consent calls, and the clients that fetch tokens are
 * OAuth libraries that read `error`.
 */
function oauthError(
  reply: FastifyReply,
  status: number,
  error: OAuthErrorCode,
  description: string,
): FastifyReply {
  if (error === 'invalid_client') reply.header('www-authenticate', 'Basic realm="bindery"');
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ error, error_description: description });
}

const BASIC = /^Basic\s+([A-Za-z0-9+/]+={0,2})$/i;

/** spId and clientSecret from `Authorization: Basic`, or null when absent or malformed. */
function basicCredentials(request: FastifyRequest): { spId: string; secret: string } | null {
  const header = request.headers.authorization;
  const encoded = header ? BASIC.exec(header.trim())?.[1] : undefined;
  if (!encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { spId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/**
 * Form bodies for this scope only. A repeated parameter stays an array so it fails the
 * single-value checks: RFC 6749 §3.2 forbids sending a parameter twice.
 */
function acceptFormBodies(scope: FastifyInstance): void {
  scope.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: REST_BODY_LIMIT },
    (request: FastifyRequest, body: string | Buffer, done: (err: null, body?: unknown) => void) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      request.rawBody = text;
      const fields: Record<string, string | string[]> = {};
      for (const [name, value] of new URLSearchParams(text)) {
        const seen = fields[name];
        fields[name] = seen === undefined ? value : ([] as string[]).concat(seen, value);
      }
      done(null, fields);
    },
  );
}

/** Parse and size failures before the handler, in OAuth's shape with their own status. */
function oauthErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) {
    request.log.error({ err: error }, 'uaepass token request failed');
    return oauthError(reply, 500, 'server_error', 'The token could not be issued');
  }
  const reason =
    status === 413
      ? 'The request body is larger than 64 KiB'
      : status === 415
        ? 'Send application/x-www-form-urlencoded or application/json'
        : 'The request body is malformed';
  return oauthError(reply, status, 'invalid_request', reason);
}

/** POST /oauth2/token: the client-credentials grant that opens UAE PASS-style consent calls. */
export async function tokenRoute(
  app: FastifyInstance,
  deps: RestDeps,
  tokens: AccessTokenStore,
): Promise<void> {
  acceptFormBodies(app);
  app.setErrorHandler(oauthErrorHandler);

  app.post('/oauth2/token', async (request, reply) => {
    const credentials = basicCredentials(request);
    const tenant = credentials
      ? await deps.tenants.authenticateClient(credentials.spId, credentials.secret)
      : null;
    if (!tenant) {
      request.log.info('uaepass token refused: client authentication failed');
      return oauthError(reply, 401, 'invalid_client', 'Client authentication failed');
    }
    const admission = await deps.limits.admit(tenant.id);
    if (!admission.allowed) {
      void reply.header('retry-after', String(admission.retryAfterSeconds));
      return oauthError(reply, 429, 'too_many_requests', 'Too many requests for this client');
    }

    const body = request.body;
    const grantType =
      body !== null && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>).grant_type
        : undefined;
    if (typeof grantType !== 'string' || grantType === '') {
      return oauthError(reply, 400, 'invalid_request', 'grant_type is required, exactly once');
    }
    if (grantType !== 'client_credentials') {
      return oauthError(reply, 400, 'unsupported_grant_type', 'Only client_credentials is served');
    }

    const nowMs = deps.clock().getTime();
    const { token, grant } = tokens.issue(tenant, nowMs);
    const idToken = signIdToken(
      tenant.spId,
      Math.floor(nowMs / 1000),
      Math.floor(grant.expiresAtMs / 1000),
      deps.tenants.signingSecretOf(tenant),
    );
    // RFC 6749 §5.1: token responses must not be cached by anything in between.
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send({
      access_token: token,
      id_token: idToken,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
    });
  });
}
