import { type Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/** How many requests one tenant may make per window; 0 requests turns the limit off. */
export interface RateLimitSettings {
  requests: number;
  windowSeconds: number;
}

export type Admission = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts every authenticated request and WebSocket operation against its tenant's allowance,
 * whatever the door: GraphQL over HTTP, graphql-ws, or a legacy REST family.
 */
export interface TenantRateLimiter {
  admit(tenantId: string): Promise<Admission>;
}

const ALLOWED: Admission = { allowed: true };

const unlimited: TenantRateLimiter = { admit: async () => ALLOWED };

class WindowLimiter implements TenantRateLimiter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async admit(tenantId: string): Promise<Admission> {
    try {
      await this.limiter.consume(tenantId);
      return ALLOWED;
    } catch (refusal) {
      // Anything but a refusal is a store failure the insurance limiter already absorbed.
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)),
      };
    }
  }
}

/**
 * Fixed windows per tenant. With Redis the count is shared by every instance (one Lua INCR per
 * request); while Redis is unreachable each instance counts alone in memory instead of refusing
 * or waiting, so an outage of the counter never becomes an outage of the service.
 */
export function tenantRateLimiter(settings: RateLimitSettings, redis?: Redis): TenantRateLimiter {
  if (settings.requests === 0) return unlimited;
  const shape = { points: settings.requests, duration: settings.windowSeconds };
  const memory = new RateLimiterMemory({ ...shape, keyPrefix: 'bindery-rate' });
  if (!redis) return new WindowLimiter(memory);
  return new WindowLimiter(
    new RateLimiterRedis({
      ...shape,
      storeClient: redis,
      keyPrefix: 'bindery:rate',
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    }),
  );
}
