import { randomBytes } from 'node:crypto';
import { type Orm } from '../../src/persistence/orm';
import { SecretDecryptionError } from '../../src/security/secrets';
import {
  TenantConflictError,
  TenantInputError,
  TenantService,
} from '../../src/services/tenant-service';
import { type TestDatabase, openMigratedOrm } from '../support/database';

let orm: Orm;
let db: TestDatabase;
let tenants: TenantService;
const secretsKey = randomBytes(32);

beforeAll(async () => {
  ({ orm, db } = await openMigratedOrm());
  tenants = new TenantService({ orm, secretsKey });
});

afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

/** Each test uses its own merchant, so tests do not depend on one another's rows. */
function uniqueMerchant(): string {
  return `M${randomBytes(6).toString('hex')}`;
}

describe('creating a tenant', () => {
  it('answers all nine credential fields, echoing the merchant and channel', async () => {
    const merchantId = uniqueMerchant();
    const credentials = await tenants.createTenant({ merchantId, merchantChannelId: 'APP' });
    expect(Object.keys(credentials).sort()).toEqual(
      [
        'apiKey',
        'apiToken',
        'clientSecret',
        'keyId',
        'keySecret',
        'merchantChannelId',
        'merchantId',
        'signingSecret',
        'spId',
      ].sort(),
    );
    expect(credentials).toMatchObject({ merchantId, merchantChannelId: 'APP' });
    for (const value of Object.values(credentials)) expect(value).toEqual(expect.any(String));
    expect(credentials.apiKey).toMatch(/^bk_/);
  });

  it('keeps a given spId and generates one when none is given', async () => {
    const given = await tenants.createTenant({
      merchantId: uniqueMerchant(),
      merchantChannelId: 'APP',
      spId: 'owner_sp_client_id',
    });
    expect(given.spId).toBe('owner_sp_client_id');
    const generated = await tenants.createTenant({
      merchantId: uniqueMerchant(),
      merchantChannelId: 'APP',
    });
    expect(generated.spId).toMatch(/^sp_[A-Za-z0-9_-]+$/);
  });

  it('stores no plain secret in any column of the tenant row', async () => {
    const credentials = await tenants.createTenant({
      merchantId: uniqueMerchant(),
      merchantChannelId: 'APP',
    });
    const tenant = await tenants.findByMerchant(credentials.merchantId, 'APP');
    const rows = await orm.em
      .fork()
      .getConnection()
      .execute<Record<string, unknown>[]>('select * from tenant where id = ?', [tenant!.id]);
    expect(rows).toHaveLength(1);
    const stored = Object.values(rows[0]).map((value) =>
      value instanceof Date ? value.toISOString() : String(value),
    );
    const { apiToken, keySecret, signingSecret, clientSecret } = credentials;
    for (const secret of [apiToken, keySecret, signingSecret, clientSecret]) {
      for (const column of stored) expect(column).not.toContain(secret);
    }
  });

  it('refuses a second tenant for the same merchant and channel', async () => {
    const merchantId = uniqueMerchant();
    await tenants.createTenant({ merchantId, merchantChannelId: 'APP' });
    const again = tenants.createTenant({ merchantId, merchantChannelId: 'APP' });
    await expect(again).rejects.toThrow(TenantConflictError);
    await expect(again).rejects.toThrow(/already exists/);
  });

  it('lets exactly one of two simultaneous creations of one merchant channel win', async () => {
    const merchantId = uniqueMerchant();
    const results = await Promise.allSettled([
      tenants.createTenant({ merchantId, merchantChannelId: 'APP' }),
      tenants.createTenant({ merchantId, merchantChannelId: 'APP' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(TenantConflictError);
  });

  it('allows a second channel for the same merchant', async () => {
    const merchantId = uniqueMerchant();
    await tenants.createTenant({ merchantId, merchantChannelId: 'APP' });
    await expect(
      tenants.createTenant({ merchantId, merchantChannelId: 'WEB' }),
    ).resolves.toMatchObject({ merchantChannelId: 'WEB' });
  });

  it('refuses an spId that already belongs to another tenant', async () => {
    const spId = `sp-${randomBytes(4).toString('hex')}`;
    await tenants.createTenant({ merchantId: uniqueMerchant(), merchantChannelId: 'APP', spId });
    await expect(
      tenants.createTenant({ merchantId: uniqueMerchant(), merchantChannelId: 'APP', spId }),
    ).rejects.toMatchObject({ name: 'TenantConflictError', field: 'spId' });
  });

  it.each([
    ['merchantId', { merchantId: '', merchantChannelId: 'APP' }],
    ['merchantId', { merchantId: 'has space', merchantChannelId: 'APP' }],
    ['merchantChannelId', { merchantId: 'M', merchantChannelId: 'x'.repeat(65) }],
    ['spId', { merchantId: 'M', merchantChannelId: 'APP', spId: 'with:colon' }],
    ['spId', { merchantId: 'M', merchantChannelId: 'APP', spId: 'x'.repeat(129) }],
  ])('names the invalid field %s', async (field, input) => {
    const attempt = tenants.createTenant(input);
    await expect(attempt).rejects.toThrow(TenantInputError);
    await expect(attempt).rejects.toMatchObject({ field });
  });
});

describe('authenticating a tenant', () => {
  let credentials: Awaited<ReturnType<TenantService['createTenant']>>;
  let tenantId: string;

  beforeAll(async () => {
    credentials = await tenants.createTenant({
      merchantId: uniqueMerchant(),
      merchantChannelId: 'APP',
    });
    tenantId = (await tenants.findByMerchant(credentials.merchantId, 'APP'))!.id;
  });

  it('accepts the API key with its token and refuses a wrong token or unknown key', async () => {
    const { apiKey, apiToken } = credentials;
    expect((await tenants.authenticateApiKey(apiKey, apiToken))?.id).toBe(tenantId);
    expect(await tenants.authenticateApiKey(apiKey, `${apiToken}x`)).toBeNull();
    expect(await tenants.authenticateApiKey('bk_unknown', apiToken)).toBeNull();
    expect(await tenants.authenticateApiKey(apiKey, '')).toBeNull();
  });

  it('accepts the Basic key id with its secret and refuses a wrong secret', async () => {
    const { keyId, keySecret } = credentials;
    expect((await tenants.authenticateBasic(keyId, keySecret))?.id).toBe(tenantId);
    expect(await tenants.authenticateBasic(keyId, credentials.clientSecret)).toBeNull();
    expect(await tenants.authenticateBasic('bkid_unknown', keySecret)).toBeNull();
  });

  it('accepts the client credentials and refuses a wrong secret', async () => {
    const { spId, clientSecret } = credentials;
    expect((await tenants.authenticateClient(spId, clientSecret))?.id).toBe(tenantId);
    expect(await tenants.authenticateClient(spId, credentials.keySecret)).toBeNull();
    expect(await tenants.authenticateClient('x'.repeat(500), clientSecret)).toBeNull();
  });

  it('does not accept one scheme’s identifier with another scheme’s secret', async () => {
    expect(await tenants.authenticateApiKey(credentials.apiKey, credentials.keySecret)).toBeNull();
    expect(await tenants.authenticateBasic(credentials.apiKey, credentials.apiToken)).toBeNull();
  });

  it('gives back the signing secret for HMAC verification', async () => {
    const tenant = await tenants.findBySpId(credentials.spId);
    expect(tenants.signingSecretOf(tenant!)).toBe(credentials.signingSecret);
  });

  it('cannot open the signing secret with another secrets key', async () => {
    const tenant = await tenants.findBySpId(credentials.spId);
    const otherKey = new TenantService({ orm, secretsKey: randomBytes(32) });
    expect(() => otherKey.signingSecretOf(tenant!)).toThrow(SecretDecryptionError);
  });

  it('finds nothing for an unknown merchant or spId', async () => {
    expect(await tenants.findByMerchant('NOPE', 'NOPE')).toBeNull();
    expect(await tenants.findBySpId('nope')).toBeNull();
  });
});

describe('the demo tenant', () => {
  it('is created only while the tenant table is empty', async () => {
    const fresh = await openMigratedOrm();
    try {
      const service = new TenantService({ orm: fresh.orm, secretsKey });
      const demo = await service.ensureDemoTenant();
      expect(demo).toMatchObject({ merchantId: 'DEMO', merchantChannelId: 'DEMOAPP' });
      expect(await service.authenticateApiKey(demo!.apiKey, demo!.apiToken)).not.toBeNull();
      expect(await service.ensureDemoTenant()).toBeNull();
    } finally {
      await fresh.orm.close(true);
      await fresh.db.drop();
    }
  });

  it('is not created when other tenants exist', async () => {
    expect(await tenants.ensureDemoTenant()).toBeNull();
    expect(await tenants.findByMerchant('DEMO', 'DEMOAPP')).toBeNull();
  });
});
