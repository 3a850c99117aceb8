import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;
const MAX_TOKEN_LENGTH = 512;

/** Whom an access token was issued to, and until when. */
export interface AccessGrant {
  tenantId: string;
  spId: string;
  expiresAtMs: number;
}

/**
 * Client-credentials access tokens that carry their own grant, MAC'd with a key derived from
 * SECRETS_KEY: every instance sharing that key accepts a token any of them issued, and nothing
 * is stored. The grant holds ids only, never a secret; a random nonce makes each token unique.
 */
export class AccessTokenStore {
  private readonly key: Buffer;

  constructor(secretsKey: Buffer) {
    this.key = Buffer.from(
      hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'bindery uaepass access token v1', 32),
    );
  }

  /** A fresh token for the tenant, valid ACCESS_TOKEN_TTL_SECONDS from `nowMs`. */
  issue(
    tenant: { id: string; spId: string },
    nowMs: number,
  ): { token: string; grant: AccessGrant } {
    const grant = {
      tenantId: tenant.id,
      spId: tenant.spId,
      expiresAtMs: nowMs + ACCESS_TOKEN_TTL_SECONDS * 1000,
    };
    const body = Buffer.from(
      JSON.stringify({
        t: grant.tenantId,
        s: grant.spId,
        e: grant.expiresAtMs,
        n: randomBytes(12).toString('base64url'),
      }),
    ).toString('base64url');
    return { token: `${body}.${this.mac(body)}`, grant };
  }

  /** The live grant behind a presented token, or null when forged, malformed or expired. */
  find(token: string, nowMs: number): AccessGrant | null {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return null;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
        t: unknown;
        s: unknown;
        e: unknown;
      };
      if (
        typeof claims.t !== 'string' ||
        typeof claims.s !== 'string' ||
        typeof claims.e !== 'number'
      )
        return null;
      return claims.e > nowMs
        ? { tenantId: claims.t, spId: claims.s, expiresAtMs: claims.e }
        : null;
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
