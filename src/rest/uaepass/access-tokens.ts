import { hashSecret, randomSecret } from '../../security/secrets';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/** Whom an access token was issued to, and until when. */
export interface AccessGrant {
  tenantId: string;
  spId: string;
  expiresAtMs: number;
}

export interface AccessTokenLimits {
  /** Live tokens kept in all; the oldest goes first when full. */
  maxTokens: number;
  /** Live tokens per tenant, so one tenant fetching in a loop cannot evict the others'. */
  maxTokensPerTenant: number;
}

const DEFAULT_LIMITS: AccessTokenLimits = { maxTokens: 100_000, maxTokensPerTenant: 100 };

/**
 * Opaque client-credentials access tokens, held in this process only: a token works on the
 * instance that issued it. Sharing them between instances comes with the Redis store later.
 * Only a SHA-256 of each token is kept, so a heap dump does not leak usable tokens, and lookups
 * by hash do not leak token bytes through timing.
 */
export class AccessTokenStore {
  private readonly grants = new Map<string, AccessGrant>();
  private readonly byTenant = new Map<string, Set<string>>();

  constructor(private readonly limits: AccessTokenLimits = DEFAULT_LIMITS) {}

  /** A fresh token for the tenant, valid ACCESS_TOKEN_TTL_SECONDS from `nowMs`. */
  issue(
    tenant: { id: string; spId: string },
    nowMs: number,
  ): { token: string; grant: AccessGrant } {
    this.evictExpired(nowMs);
    // Sets and Maps iterate in insertion order, and every token lives equally long: the first
    // entry is always the oldest.
    const previous = this.byTenant.get(tenant.id);
    if (previous && previous.size >= this.limits.maxTokensPerTenant) {
      this.forget(previous.values().next().value);
    }
    if (this.grants.size >= this.limits.maxTokens) this.forget(this.grants.keys().next().value);

    const token = randomSecret(32);
    const key = hashSecret(token);
    const grant = {
      tenantId: tenant.id,
      spId: tenant.spId,
      expiresAtMs: nowMs + ACCESS_TOKEN_TTL_SECONDS * 1000,
    };
    this.grants.set(key, grant);
    const owned = this.byTenant.get(tenant.id) ?? new Set<string>();
    owned.add(key);
    this.byTenant.set(tenant.id, owned);
    return { token, grant };
  }

  /** The live grant behind a presented token, or null when unknown, evicted or expired. */
  find(token: string, nowMs: number): AccessGrant | null {
    if (token.length === 0 || token.length > 512) return null;
    const grant = this.grants.get(hashSecret(token));
    return grant && grant.expiresAtMs > nowMs ? grant : null;
  }

  get size(): number {
    return this.grants.size;
  }

  private evictExpired(nowMs: number): void {
    for (const [key, grant] of this.grants) {
      if (grant.expiresAtMs > nowMs) break;
      this.forget(key);
    }
  }

  private forget(key: string | undefined): void {
    if (key === undefined) return;
    const grant = this.grants.get(key);
    if (!grant) return;
    this.grants.delete(key);
    const owned = this.byTenant.get(grant.tenantId);
    owned?.delete(key);
    if (owned?.size === 0) this.byTenant.delete(grant.tenantId);
  }
}
