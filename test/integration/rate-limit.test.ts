import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { tenantRateLimiter, type TenantRateLimiter } from '../../src/security/rate-limit';
import { freePort, startRedis } from '../support/process';

async function admitted(limiter: TenantRateLimiter, tenantId: string, times: number) {
  let allowed = 0;
  for (let i = 0; i < times; i++) if ((await limiter.admit(tenantId)).allowed) allowed++;
  return allowed;
}

describe('tenant rate limit', () => {
  it('in memory: a tenant gets exactly its allowance, then a Retry-After inside the window', async () => {
    const limiter = tenantRateLimiter({ requests: 5, windowSeconds: 30 });
    const tenant = randomUUID();
    expect(await admitted(limiter, tenant, 5)).toBe(5);
    const refused = await limiter.admit(tenant);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(30);
    }
    expect(await admitted(limiter, randomUUID(), 5)).toBe(5);
  });

  it('in memory: concurrent requests never get more than the allowance', async () => {
    const limiter = tenantRateLimiter({ requests: 20, windowSeconds: 30 });
    const tenant = randomUUID();
    const answers = await Promise.all(Array.from({ length: 100 }, () => limiter.admit(tenant)));
    expect(answers.filter((a) => a.allowed)).toHaveLength(20);
  });

  it('0 requests turns the limit off', async () => {
    const limiter = tenantRateLimiter({ requests: 0, windowSeconds: 10 });
    expect(await admitted(limiter, randomUUID(), 1000)).toBe(1000);
  });

  describe('over Redis', () => {
    let port: number;
    let redis: { stop(): Promise<void> };
    const clients: Redis[] = [];
    const client = async () => {
      // As the event bus connects: no offline queue, so an outage fails fast instead of waiting.
      const c = new Redis(`redis://127.0.0.1:${port}`, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        // A socket Redis dropped never emits close, which ioredis waits 2 s for on disconnect.
        disconnectTimeout: 50,
      });
      c.on('error', () => undefined);
      clients.push(c);
      await new Promise((ready) => c.once('ready', ready));
      return c;
    };

    beforeAll(async () => {
      port = await freePort();
      redis = await startRedis(port);
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      await redis.stop();
    });

    it('two instances share one count: concurrent requests across both get the allowance once', async () => {
      const [a, b] = await Promise.all([client(), client()]);
      const settings = { requests: 30, windowSeconds: 30 };
      const first = tenantRateLimiter(settings, a);
      const second = tenantRateLimiter(settings, b);
      const tenant = randomUUID();
      const answers = await Promise.all(
        Array.from({ length: 80 }, (_, i) => (i % 2 ? first : second).admit(tenant)),
      );
      expect(answers.filter((x) => x.allowed)).toHaveLength(30);
      // The count lives in Redis, with the window as its expiry.
      const ttl = await a.pttl(`bindery:rate:${tenant}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30_000);
    });

    it('while Redis is down each instance counts alone, answering at once instead of failing', async () => {
      const c = await client();
      const limiter = tenantRateLimiter({ requests: 3, windowSeconds: 30 }, c);
      await redis.stop();
      const tenant = randomUUID();
      const started = Date.now();
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push((await limiter.admit(tenant)).allowed);
      expect(answers).toEqual([true, true, true, false, false]);
      expect(Date.now() - started).toBeLessThan(2000);
      redis = await startRedis(port);
    });
  });
});
