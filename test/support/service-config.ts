import { type ServiceDeps } from '../../src/services/deps';
import { VMN_NUMBER } from './server';

/** The settings the services read, as a test server's configuration has them. */
export function serviceConfig(
  overrides: Partial<ServiceDeps['config']> = {},
): ServiceDeps['config'] {
  return {
    vmnNumbers: [VMN_NUMBER],
    registrationTtlSeconds: 600,
    consentTtlSeconds: 300,
    callbackPrivateNetworks: true,
    env: 'test',
    ...overrides,
  };
}
