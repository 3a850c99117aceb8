import fc from 'fast-check';
import { bindInput } from '../flows';
import { type Operation } from './graphql-operations';
import { type KeyProbe } from './invariants';
import { randomToken } from './keys';
import { world } from './world';

/** For each operation that takes a key, B's keys and random keys of the same shape. */

export interface Probe extends KeyProbe {
  op: Operation;
  variables: (key: string) => unknown;
}

export const PROBES: Probe[] = [
  {
    op: 'registration',
    victim: () => world.b.registrationIds,
    random: fc.uuid(),
    variables: (id) => ({ id }),
  },
  {
    op: 'deviceBinding',
    victim: () => [world.b.bindingId],
    random: fc.uuid(),
    variables: (id) => ({ id }),
  },
  {
    op: 'customer',
    victim: () => [world.b.bound.merchantCustomerId, world.b.verified.merchantCustomerId],
    random: fc.uuid().map((u) => `cust-${u}`),
    variables: (merchantCustomerId) => ({ merchantCustomerId }),
  },
  {
    op: 'registrationStatus',
    victim: () => [world.b.bound.deviceId, world.b.verified.deviceId, world.b.pending.deviceId],
    random: fc.uuid().map((u) => `device-${u}`),
    variables: (deviceId) => ({
      deviceId,
      ssid:
        [world.b.bound, world.b.verified, world.b.pending].find((a) => a.deviceId === deviceId)
          ?.ssid ?? 'ssid-none',
    }),
  },
  {
    op: 'consentTransaction',
    victim: () => [world.b.consentTx],
    random: fc.uuid().map((u) => `tx-${u}`),
    variables: (spTransactionID) => ({ spId: world.b.tenant.spId, spTransactionID }),
  },
  {
    op: 'consentTransaction',
    victim: () => [world.b.tenant.spId],
    random: fc.uuid().map((u) => `sp_${u}`),
    variables: (spId) => ({ spId, spTransactionID: world.b.consentTx }),
  },
  {
    op: '_entities',
    victim: () => [...world.b.registrationIds, world.b.bindingId],
    random: fc.uuid(),
    variables: (id) => ({
      representations: [
        { __typename: 'Registration', id },
        { __typename: 'DeviceBinding', id },
      ],
    }),
  },
  {
    op: '_entities',
    victim: () => [world.b.bound.merchantCustomerId, world.b.consentTx],
    random: fc.uuid().map((u) => `cust-${u}`),
    variables: (key) => ({
      representations: [
        { __typename: 'Customer', merchantCustomerId: key },
        { __typename: 'ConsentTransaction', spId: world.b.tenant.spId, spTransactionID: key },
      ],
    }),
  },
  {
    op: 'bindDevice',
    victim: () => world.bAttempts.map((a) => a.smsContent),
    random: randomToken,
    variables: (smsContent) => ({ input: { ...bindInput(world.b.verified), smsContent } }),
  },
  {
    op: 'declineBinding',
    victim: () => world.bAttempts.map((a) => a.smsContent),
    random: randomToken,
    variables: (smsContent) => ({ input: { smsContent } }),
  },
  {
    op: 'deregisterDevice',
    victim: () => [world.b.bindingId],
    random: fc.uuid(),
    variables: (deviceBindingId) => ({ input: { deviceBindingId } }),
  },
  {
    op: 'decideConsent',
    victim: () => [world.b.consentTx],
    random: fc.uuid().map((u) => `tx-${u}`),
    variables: (spTransactionID) => ({
      input: {
        spId: world.b.tenant.spId,
        spTransactionID,
        decision: 'ACCEPT',
        deviceFingerprint: world.b.fingerprint,
      },
    }),
  },
];
