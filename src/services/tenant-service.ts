import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Tenant } from '../persistence/entities';
import { type Em, type Orm } from '../persistence/orm';
import {
  decryptSecret,
  encryptSecret,
  hashSecret,
  randomSecret,
  secretMatches,
} from '../security/secrets';

/** Everything a new tenant needs to call Bindery. The secrets exist in plain form only here. */
export interface TenantCredentials {
  merchantId: string;
  merchantChannelId: string;
  apiKey: string;
  apiToken: string;
  keyId: string;
  keySecret: string;
  signingSecret: string;
  spId: string;
  clientSecret: string;
}

export interface CreateTenantInput {
  merchantId: string;
  merchantChannelId: string;
  spId?: string;
}

export class TenantInputError extends Error {
  constructor(
    readonly field: keyof CreateTenantInput,
    message: string,
  ) {
    super(message);
    this.name = 'TenantInputError';
  }
}

export class TenantConflictError extends Error {
  constructor(
    readonly field: 'merchantChannelId' | 'spId',
    message: string,
  ) {
    super(message);
    this.name = 'TenantConflictError';
  }
}

export const DEMO_MERCHANT_ID = 'DEMO';
export const DEMO_MERCHANT_CHANNEL_ID = 'DEMOAPP';

const MERCHANT_PART = /^[A-Za-z0-9._-]{1,64}$/;
// No ':' because spId is the user-id of HTTP Basic (RFC 7617), and no spaces or controls.
const SP_ID = /^[A-Za-z0-9._~-]{1,128}$/;
const SECRET_BYTES = 32;
const ID_BYTES = 16;
/** Compared against when the identifier is unknown, so a miss costs what a wrong secret costs. */
const DUMMY_HASH = hashSecret('bindery-unknown-credential');

function signingContext(tenantId: string): string {
  return `tenant:${tenantId}:signing`;
}

/** Throws TenantInputError naming the first malformed field; lets callers fail before any I/O. */
export function validateTenantInput(input: CreateTenantInput): void {
  if (typeof input.merchantId !== 'string' || !MERCHANT_PART.test(input.merchantId)) {
    throw new TenantInputError(
      'merchantId',
      'merchantId must be 1-64 characters of A-Z, a-z, 0-9, ".", "_" or "-"',
    );
  }
  if (typeof input.merchantChannelId !== 'string' || !MERCHANT_PART.test(input.merchantChannelId)) {
    throw new TenantInputError(
      'merchantChannelId',
      'merchantChannelId must be 1-64 characters of A-Z, a-z, 0-9, ".", "_" or "-"',
    );
  }
  if (input.spId !== undefined && (typeof input.spId !== 'string' || !SP_ID.test(input.spId))) {
    throw new TenantInputError(
      'spId',
      'spId must be 1-128 characters of A-Z, a-z, 0-9, ".", "_", "~" or "-"',
    );
  }
}

/** Creates tenants and checks their credentials for every auth scheme of the legacy APIs. */
export class TenantService {
  private readonly orm: Orm;
  private readonly secretsKey: Buffer;

  constructor(deps: { orm: Orm; secretsKey: Buffer }) {
    if (deps.secretsKey.length !== 32) throw new RangeError('secretsKey must be 32 bytes');
    this.orm = deps.orm;
    this.secretsKey = deps.secretsKey;
  }

  private em(): Em {
    return this.orm.em.fork();
  }

  /** Creates a tenant and answers its credentials; this is the only time the secrets are seen. */
  async createTenant(input: CreateTenantInput): Promise<TenantCredentials> {
    validateTenantInput(input);
    const em = this.em();
    await this.assertFree(em, input.merchantId, input.merchantChannelId, input.spId);

    const credentials: TenantCredentials = {
      merchantId: input.merchantId,
      merchantChannelId: input.merchantChannelId,
      apiKey: `bk_${randomSecret(ID_BYTES)}`,
      apiToken: randomSecret(SECRET_BYTES),
      keyId: `bkid_${randomSecret(ID_BYTES)}`,
      keySecret: randomSecret(SECRET_BYTES),
      signingSecret: randomSecret(SECRET_BYTES),
      spId: input.spId ?? `sp_${randomSecret(ID_BYTES)}`,
      clientSecret: randomSecret(SECRET_BYTES),
    };
    const id = randomUUID();
    const tenant = em.create(Tenant, {
      id,
      merchantId: credentials.merchantId,
      merchantChannelId: credentials.merchantChannelId,
      spId: credentials.spId,
      apiKey: credentials.apiKey,
      apiTokenHash: hashSecret(credentials.apiToken),
      keyId: credentials.keyId,
      keySecretHash: hashSecret(credentials.keySecret),
      signingSecretEncrypted: encryptSecret(
        credentials.signingSecret,
        this.secretsKey,
        signingContext(id),
      ),
      clientSecretHash: hashSecret(credentials.clientSecret),
      createdAt: new Date(),
    });
    try {
      await em.persistAndFlush(tenant);
    } catch (error) {
      // Another writer got there between the check above and this insert.
      if (error instanceof UniqueConstraintViolationException) {
        await this.assertFree(this.em(), input.merchantId, input.merchantChannelId, input.spId);
      }
      throw error;
    }
    return credentials;
  }

  private async assertFree(
    em: Em,
    merchantId: string,
    merchantChannelId: string,
    spId: string | undefined,
  ): Promise<void> {
    if (await em.findOne(Tenant, { merchantId, merchantChannelId })) {
      throw new TenantConflictError(
        'merchantChannelId',
        `a tenant for merchant "${merchantId}" channel "${merchantChannelId}" already exists`,
      );
    }
    if (spId !== undefined && (await em.findOne(Tenant, { spId }))) {
      throw new TenantConflictError('spId', `spId "${spId}" already belongs to another tenant`);
    }
  }

  /**
   * Tenants found by API key in the last few seconds: the lookup is a query on every request,
   * and a tenant's key changes rarely. The token is still checked against the hash each time.
   */
  private readonly byApiKey = new Map<string, { tenant: Tenant; until: number }>();

  /** X-API-KEY + X-API-TOKEN. */
  async authenticateApiKey(apiKey: string, apiToken: string): Promise<Tenant | null> {
    const now = Date.now();
    const cached = this.byApiKey.get(apiKey);
    let tenant = cached && cached.until > now ? cached.tenant : null;
    if (!tenant) {
      tenant = await this.lookup({ apiKey }, apiKey, 64);
      if (tenant) {
        if (this.byApiKey.size >= 10_000) this.byApiKey.clear();
        this.byApiKey.set(apiKey, { tenant, until: now + 5_000 });
      }
    }
    return this.verified(tenant, tenant?.apiTokenHash, apiToken);
  }

  /** HTTP Basic keyId:keySecret. */
  async authenticateBasic(keyId: string, keySecret: string): Promise<Tenant | null> {
    const tenant = await this.lookup({ keyId }, keyId, 64);
    return this.verified(tenant, tenant?.keySecretHash, keySecret);
  }

  /** OAuth client credentials spId:clientSecret. */
  async authenticateClient(spId: string, clientSecret: string): Promise<Tenant | null> {
    const tenant = await this.lookup({ spId }, spId, 128);
    return this.verified(tenant, tenant?.clientSecretHash, clientSecret);
  }

  private async lookup(
    where: Partial<Pick<Tenant, 'apiKey' | 'keyId' | 'spId'>>,
    identifier: string,
    maxLength: number,
  ): Promise<Tenant | null> {
    // Oversized identifiers cannot exist; skip the query but not the compare that follows.
    if (
      typeof identifier !== 'string' ||
      identifier.length === 0 ||
      identifier.length > maxLength
    ) {
      return null;
    }
    return this.em().findOne(Tenant, where);
  }

  private verified(tenant: Tenant | null, hash: string | undefined, secret: string): Tenant | null {
    const presented = typeof secret === 'string' ? secret : '';
    const matches = secretMatches(presented, hash ?? DUMMY_HASH);
    return tenant && matches ? tenant : null;
  }

  /** The HMAC key of the signed schemes, decrypted. Throws SecretDecryptionError on a wrong key. */
  signingSecretOf(tenant: Tenant): string {
    return decryptSecret(tenant.signingSecretEncrypted, this.secretsKey, signingContext(tenant.id));
  }

  async findByMerchant(merchantId: string, merchantChannelId: string): Promise<Tenant | null> {
    return this.em().findOne(Tenant, { merchantId, merchantChannelId });
  }

  async findBySpId(spId: string): Promise<Tenant | null> {
    return this.em().findOne(Tenant, { spId });
  }

  /** On an empty tenant table, creates DEMO/DEMOAPP and answers its credentials; else null. */
  async ensureDemoTenant(): Promise<TenantCredentials | null> {
    if ((await this.em().count(Tenant, {})) > 0) return null;
    try {
      return await this.createTenant({
        merchantId: DEMO_MERCHANT_ID,
        merchantChannelId: DEMO_MERCHANT_CHANNEL_ID,
      });
    } catch (error) {
      // Another instance starting at the same moment created it first.
      if (error instanceof TenantConflictError) return null;
      throw error;
    }
  }
}
