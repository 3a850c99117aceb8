import { type Config } from '../config';
import { type Tenant } from '../persistence/entities';
import { type Orm } from '../persistence/orm';

/** What every use case needs; built once in app.ts. */
export interface ServiceDeps {
  orm: Orm;
  config: Pick<
    Config,
    | 'vmnNumbers'
    | 'registrationTtlSeconds'
    | 'consentTtlSeconds'
    | 'env'
    | 'callbackPrivateNetworks'
  >;
  /** Injected so tests can move time instead of waiting. */
  clock: () => Date;
}

/** The caller every tenant-scoped use case acts for. */
export interface Caller {
  tenantId: string;
  merchantId: string;
  merchantChannelId: string;
  spId: string;
}

export function callerOf(tenant: Tenant): Caller {
  return {
    tenantId: tenant.id,
    merchantId: tenant.merchantId,
    merchantChannelId: tenant.merchantChannelId,
    spId: tenant.spId,
  };
}
