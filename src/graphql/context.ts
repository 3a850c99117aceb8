import { type Caller, type Services } from '../services';
import { createLoaders, type Loaders } from './loaders';

export interface GraphqlContext {
  /** Who is calling; null when the request carried no valid credentials. */
  caller: Caller | null;
  services: Services;
  loaders: Loaders;
}

/** One context per request (or per subscription): its DataLoaders cache for that request only. */
export function createGraphqlContext(services: Services, caller: Caller | null): GraphqlContext {
  return { caller, services, loaders: createLoaders(services, caller) };
}
