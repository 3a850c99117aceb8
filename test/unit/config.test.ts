import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

const dataDir = () => mkdtempSync(join(tmpdir(), 'bindery-config-'));

describe('configuration', () => {
  it('runs on the embedded default with no environment outside production', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config.port).toBe(4000);
    expect(config.database).toEqual({
      kind: 'sqlite',
      path: expect.stringMatching(/\.data\/bindery\.sqlite$/),
    });
    expect(config.registrationTtlSeconds).toBe(600);
    expect(config.consentTtlSeconds).toBe(300);
    expect(config.secretsKey).toHaveLength(32);
    expect(config.createDemoTenant).toBe(true);
    expect(config.callbackPrivateNetworks).toBe(true);
    expect(config.rateLimit).toEqual({ requests: 3000, windowSeconds: 10 });
  });

  it('in production, callbacks reach only public addresses unless told otherwise', () => {
    const production = {
      NODE_ENV: 'production',
      VMN_NUMBERS: '919900000001',
      VMN_WEBHOOK_SECRET: 'a-webhook-secret-of-length',
      SECRETS_KEY: '11'.repeat(32),
    };
    expect(loadConfig(production).callbackPrivateNetworks).toBe(false);
    expect(
      loadConfig({ ...production, CALLBACK_PRIVATE_NETWORKS: 'true' }).callbackPrivateNetworks,
    ).toBe(true);
  });

  it('keeps the generated secrets key across restarts', () => {
    const dir = dataDir();
    expect(loadConfig({ DATA_DIR: dir }).secretsKey).toEqual(
      loadConfig({ DATA_DIR: dir }).secretsKey,
    );
  });

  it('refuses to start in production without the secrets and names each missing one', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', VMN_NUMBERS: '919900000001' })).toThrow(
      new ConfigError('NODE_ENV=production needs VMN_WEBHOOK_SECRET, SECRETS_KEY'),
    );
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with/],
    [{ VMN_NUMBERS: '12ab' }, /VMN_NUMBERS entry/],
    [{ SECRETS_KEY: 'short' }, /SECRETS_KEY must be 32 bytes/],
    [{ REGISTRATION_TTL_SECONDS: '0' }, /REGISTRATION_TTL_SECONDS must be between/],
    [{ CALLBACK_PRIVATE_NETWORKS: 'yes' }, /CALLBACK_PRIVATE_NETWORKS must be true or false/],
    [{ RATE_LIMIT_REQUESTS: '-1' }, /RATE_LIMIT_REQUESTS must be a whole number/],
    [{ RATE_LIMIT_WINDOW_SECONDS: '0' }, /RATE_LIMIT_WINDOW_SECONDS must be between/],
  ])('rejects %p with a clear message', (env, message) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(message);
  });

  it('picks PostgreSQL from a postgres:// DATABASE_URL and memory SQLite from sqlite::memory:', () => {
    expect(loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: 'postgres://u@h/db' }).database).toEqual(
      { kind: 'postgresql', url: 'postgres://u@h/db' },
    );
    expect(loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: 'sqlite::memory:' }).database).toEqual({
      kind: 'sqlite',
      path: ':memory:',
    });
  });
});
