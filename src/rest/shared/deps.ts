import { type Config } from '../../config';
import { type TenantRateLimiter } from '../../security/rate-limit';
import { type ReplayCache } from '../../security/replay-cache';
import { type Services } from '../../services';
import { type TenantService } from '../../services/tenant-service';

/** What every legacy REST family is given: the shared services, credentials and clock. */
export interface RestDeps {
  services: Services;
  tenants: TenantService;
  /** Signatures seen inside the ±300 s window, shared by every signed family. */
  replays: ReplayCache;
  /** Every authenticated request counts against its tenant's allowance. */
  limits: TenantRateLimiter;
  clock: () => Date;
  config: Config;
}
