import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgresql'; url: string };

export interface Config {
  env: 'production' | 'development' | 'test';
  port: number;
  host: string;
  logLevel: string;
  database: DatabaseTarget;
  redisUrl?: string;
  dataDir: string;
  vmnNumbers: string[];
  vmnWebhookSecret: string;
  /** 32-byte key that encrypts stored secrets (AES-256-GCM). */
  secretsKey: Buffer;
  registrationTtlSeconds: number;
  consentTtlSeconds: number;
  sweepIntervalMs: number;
  outboxPollIntervalMs: number;
  /** How often the callback dispatcher looks for due deliveries when nothing wakes it sooner. */
  callbackPollIntervalMs: number;
  /** How long one callback POST may take before it counts as a failed attempt. */
  callbackTimeoutMs: number;
  /** Whether callbacks may reach loopback, private and link-local addresses (never in production by default). */
  callbackPrivateNetworks: boolean;
  createDemoTenant: boolean;
  /** When set, /graphql answers only requests carrying it in `router-authorization`. */
  routerSecret?: string;
  /** Subscriptions one instance serves at most, across all its connections. */
  maxSubscriptionsPerInstance: number;
  /** Requests (and WebSocket operations) one tenant may make per window, across instances. */
  rateLimit: { requests: number; windowSeconds: number };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const DEV_VMN_NUMBERS = ['919900000001', '919900000002'];
const DEV_VMN_SECRET = 'dev-vmn-webhook-secret';

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') {
    throw new ConfigError(`${name} must be true or false, got "${raw}"`);
  }
  return raw === 'true';
}

export function parseDatabaseUrl(raw: string): DatabaseTarget {
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    return { kind: 'postgresql', url: raw };
  }
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length);
    if (path === '') throw new ConfigError('DATABASE_URL sqlite: needs a path or :memory:');
    return { kind: 'sqlite', path: path === ':memory:' ? ':memory:' : resolve(path) };
  }
  throw new ConfigError(
    `DATABASE_URL must start with sqlite: or postgres://, got "${raw.split(':')[0]}:…"`,
  );
}

function parseSecretsKey(raw: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) {
    throw new ConfigError('SECRETS_KEY must be 32 bytes, as 64 hex characters or base64');
  }
  return key;
}

/** Outside production a key is generated once and kept beside the data, so restarts can decrypt. */
function devSecretsKey(dataDir: string): Buffer {
  const file = resolve(dataDir, 'secrets.key');
  if (existsSync(file)) return parseSecretsKey(readFileSync(file, 'utf8').trim());
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, key.toString('hex'), { mode: 0o600 });
  return key;
}

function parseVmnNumbers(raw: string): string[] {
  const numbers = raw
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const n of numbers) {
    if (!/^\d{10,15}$/.test(n))
      throw new ConfigError(`VMN_NUMBERS entry "${n}" is not 10-15 digits`);
  }
  if (numbers.length === 0) throw new ConfigError('VMN_NUMBERS must list at least one number');
  return numbers;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv =
    env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const production = nodeEnv === 'production';
  const dataDir = resolve(env.DATA_DIR || './.data');

  const missing = ['VMN_NUMBERS', 'VMN_WEBHOOK_SECRET', 'SECRETS_KEY'].filter((n) => !env[n]);
  if (production && missing.length > 0) {
    throw new ConfigError(`NODE_ENV=production needs ${missing.join(', ')}`);
  }

  const webhookSecret = env.VMN_WEBHOOK_SECRET || DEV_VMN_SECRET;
  if (webhookSecret.length < 16)
    throw new ConfigError('VMN_WEBHOOK_SECRET must be at least 16 characters');

  return {
    env: nodeEnv,
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    database: parseDatabaseUrl(env.DATABASE_URL || 'sqlite:./.data/bindery.sqlite'),
    redisUrl: env.REDIS_URL || undefined,
    dataDir,
    vmnNumbers: env.VMN_NUMBERS ? parseVmnNumbers(env.VMN_NUMBERS) : DEV_VMN_NUMBERS,
    vmnWebhookSecret: webhookSecret,
    secretsKey: env.SECRETS_KEY ? parseSecretsKey(env.SECRETS_KEY) : devSecretsKey(dataDir),
    registrationTtlSeconds: integer(env, 'REGISTRATION_TTL_SECONDS', 600, 1, 86400),
    consentTtlSeconds: integer(env, 'CONSENT_TTL_SECONDS', 300, 1, 86400),
    sweepIntervalMs: integer(env, 'SWEEP_INTERVAL_MS', 1000, 50, 600000),
    outboxPollIntervalMs: integer(env, 'OUTBOX_POLL_INTERVAL_MS', 250, 10, 60000),
    callbackPollIntervalMs: integer(env, 'CALLBACK_POLL_INTERVAL_MS', 1000, 10, 60000),
    callbackTimeoutMs: integer(env, 'CALLBACK_TIMEOUT_MS', 5000, 100, 60000),
    callbackPrivateNetworks: flag(env, 'CALLBACK_PRIVATE_NETWORKS', !production),
    createDemoTenant: !production && env.DEMO_TENANT !== 'false',
    routerSecret: env.ROUTER_SECRET || undefined,
    maxSubscriptionsPerInstance: integer(
      env,
      'MAX_SUBSCRIPTIONS_PER_INSTANCE',
      10_000,
      1,
      1_000_000,
    ),
    rateLimit: {
      requests: integer(env, 'RATE_LIMIT_REQUESTS', 3000, 0, 100_000_000),
      windowSeconds: integer(env, 'RATE_LIMIT_WINDOW_SECONDS', 10, 1, 3600),
    },
  };
}
