import { hmacSha256Hex, safeEqualHex } from '../../security/secrets';

/** `iss` of every id_token Bindery issues; checked on the way back in. */
export const ID_TOKEN_ISSUER = 'bindery';

const MAX_TOKEN_LENGTH = 4096;
const BASE64URL_PART = /^[A-Za-z0-9_-]+$/;
/** How far in the future an `iat` may lie before the token is refused (clock skew). */
const IAT_LEEWAY_SECONDS = 300;

export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
}

const encode = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function signatureOf(secret: string, signingInput: string): string {
  return Buffer.from(hmacSha256Hex(secret, signingInput), 'hex').toString('base64url');
}

/**
 * A compact JWS (HS256) keyed with the tenant's signingSecret. For a client-credentials grant the
 * client is both subject and audience, so `sub` and `aud` are the spId.
 */
export function signIdToken(
  spId: string,
  issuedAtSeconds: number,
  expiresAtSeconds: number,
  secret: string,
): string {
  const claims: IdTokenClaims = {
    iss: ID_TOKEN_ISSUER,
    sub: spId,
    aud: spId,
    iat: issuedAtSeconds,
    exp: expiresAtSeconds,
  };
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${signingInput}.${signatureOf(secret, signingInput)}`;
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * True when `token` is an id_token Bindery signed with `secret` for `spId` and it has not expired.
 * Only HS256 is accepted: trusting the token's own `alg` is how "none" and key-confusion attacks
 * get in.
 */
export function verifyIdToken(
  token: string,
  secret: string,
  expected: { spId: string; nowSeconds: number },
): boolean {
  if (token.length > MAX_TOKEN_LENGTH) return false;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL_PART.test(part))) return false;
  const [headerPart, payloadPart, signaturePart] = parts;

  const header = decodeJson(headerPart);
  if (!header || header.alg !== 'HS256' || header.crit !== undefined) return false;

  const expectedHex = hmacSha256Hex(secret, `${headerPart}.${payloadPart}`);
  const presentedHex = Buffer.from(signaturePart, 'base64url').toString('hex');
  if (!safeEqualHex(expectedHex, presentedHex)) return false;

  const claims = decodeJson(payloadPart);
  if (!claims) return false;
  const { iss, sub, aud, iat, exp } = claims;
  const audienceOk = aud === expected.spId || (Array.isArray(aud) && aud.includes(expected.spId));
  return (
    iss === ID_TOKEN_ISSUER &&
    sub === expected.spId &&
    audienceOk &&
    typeof exp === 'number' &&
    expected.nowSeconds < exp &&
    (iat === undefined ||
      (typeof iat === 'number' && iat <= expected.nowSeconds + IAT_LEEWAY_SECONDS))
  );
}
