import { randomUUID } from 'node:crypto';
import { judgeBind } from '../domain/binding-rules';
import { fail, ok, type Outcome, UserErrorCode, userError } from '../domain/errors';
import { deviceFingerprint } from '../domain/fingerprint';
import { canonicalMobileNumber } from '../domain/mobile-number';
import { DeviceBindingStatus, RegistrationStatus } from '../domain/registration-status';
import { hashSmsToken } from '../domain/sms-token';
import { InputCheck, isLookupKey, LIMITS } from '../domain/validation';
import { DeviceBinding, Registration } from '../persistence/entities';
import { type Em } from '../persistence/orm';
import { type Caller, type ServiceDeps } from './deps';
import { appendRow } from './appended-rows';
import { findReplay, rememberResponse, requestHash } from './idempotency';
import { recordStatusChange, TOPICS } from './outbox';
import { moveRegistration } from './registration-transitions';
import { inTransaction } from './transactions';

export interface BindDeviceInput {
  merchantCustomerId: string;
  smsContent: string;
  deviceId: string;
  ssid: string;
  manufacturer: string;
  model: string;
  os: string;
  osVersion: string;
  packageName: string;
  mobileNumber: string;
  deregisterOldBindings?: boolean | null;
  idempotencyKey?: string | null;
  udfParameters?: string | null;
}

export interface Bound {
  registration: Registration;
  deviceBinding: DeviceBinding;
  /** True when this token had already bound this device: the answer repeats the first one. */
  repeated: boolean;
}

const DESCRIPTIVE_FIELDS = ['manufacturer', 'model', 'osVersion', 'packageName'] as const;

function validateBind(input: BindDeviceInput) {
  return new InputCheck()
    .merchantCustomerId('merchantCustomerId', input.merchantCustomerId)
    .text('smsContent', input.smsContent, LIMITS.smsContent)
    .text('deviceId', input.deviceId, LIMITS.deviceId)
    .text('ssid', input.ssid, LIMITS.ssid)
    .text('manufacturer', input.manufacturer, LIMITS.manufacturer)
    .text('model', input.model, LIMITS.model)
    .text('os', input.os, LIMITS.os)
    .text('osVersion', input.osVersion, LIMITS.osVersion)
    .text('packageName', input.packageName, LIMITS.packageName)
    .mobileNumber('mobileNumber', input.mobileNumber)
    .text('idempotencyKey', input.idempotencyKey, LIMITS.idempotencyKey, false)
    .udfParameters('udfParameters', input.udfParameters).errors;
}

export class BindingService {
  constructor(private readonly deps: ServiceDeps) {}

  async bindDevice(caller: Caller, input: BindDeviceInput): Promise<Outcome<Bound>> {
    const errors = validateBind(input);
    if (errors.length > 0) return fail(...errors);
    const mobileNumber = canonicalMobileNumber(input.mobileNumber) as string;
    const { idempotencyKey, ...request } = input;
    const hash = requestHash({
      ...request,
      mobileNumber,
      deregisterOldBindings: !!input.deregisterOldBindings,
    });
    const scope = idempotencyKey
      ? { tenantId: caller.tenantId, operation: 'bindDevice', key: idempotencyKey }
      : null;

    return inTransaction(this.deps.orm, async (em) => {
      const now = this.deps.clock();
      if (scope) {
        const replay = await findReplay<{ registrationId: string; deviceBindingId: string }>(
          em,
          scope,
          hash,
          now,
        );
        if (replay.kind === 'reused') {
          return fail(
            userError(
              UserErrorCode.IDEMPOTENCY_KEY_REUSED,
              'This idempotency key was used with other input',
              'idempotencyKey',
            ),
          );
        }
        if (replay.kind === 'replay') {
          return ok({ ...(await this.loadBound(em, caller, replay.response)), repeated: true });
        }
      }
      const registration = await em.findOne(Registration, {
        tenantId: caller.tenantId,
        tokenHash: hashSmsToken(input.smsContent),
      });
      if (!registration || registration.merchantCustomerId !== input.merchantCustomerId) {
        return fail(
          userError(
            UserErrorCode.NOT_FOUND,
            'No registration of this customer has this SMS token',
            'smsContent',
          ),
        );
      }
      const verdict = judgeBind(registration, { ...input, mobileNumber }, now);
      if (verdict.kind === 'refused') return fail(verdict.error);

      let deviceBinding: DeviceBinding;
      if (verdict.kind === 'already-bound') {
        deviceBinding = await em.findOneOrFail(DeviceBinding, { registrationId: registration.id });
        const changed = DESCRIPTIVE_FIELDS.find((f) => deviceBinding[f] !== input[f]);
        if (changed) {
          return fail(
            userError(
              UserErrorCode.ALREADY_BOUND,
              `This token already bound a device with another ${changed}`,
              changed,
            ),
          );
        }
      } else {
        if (input.deregisterOldBindings)
          await this.deregisterActive(em, caller, input.merchantCustomerId, now);
        deviceBinding = appendRow(em, DeviceBinding, {
          id: randomUUID(),
          tenantId: caller.tenantId,
          registrationId: registration.id,
          merchantCustomerId: input.merchantCustomerId,
          deviceId: input.deviceId,
          ssid: input.ssid,
          manufacturer: input.manufacturer,
          model: input.model,
          os: input.os,
          osVersion: input.osVersion,
          packageName: input.packageName,
          mobileNumber,
          fingerprint: deviceFingerprint({
            deviceId: input.deviceId,
            ssid: input.ssid,
            merchantId: caller.merchantId,
            merchantCustomerId: input.merchantCustomerId,
          }),
          status: DeviceBindingStatus.ACTIVE,
          boundAt: now,
          deregisteredAt: null,
          version: 1,
        });
        if (!registration.ssid) registration.ssid = input.ssid;
        moveRegistration(em, registration, RegistrationStatus.BOUND, 'Device bound', now);
        this.recordBindingChange(em, deviceBinding, now);
      }
      if (scope) {
        rememberResponse(
          em,
          scope,
          hash,
          { registrationId: registration.id, deviceBindingId: deviceBinding.id },
          now,
        );
      }
      return ok({ registration, deviceBinding, repeated: verdict.kind === 'already-bound' });
    });
  }

  async deregisterDevice(caller: Caller, deviceBindingId: string): Promise<Outcome<DeviceBinding>> {
    const check = new InputCheck().text('deviceBindingId', deviceBindingId, LIMITS.id);
    if (check.errors.length > 0) return fail(...check.errors);
    return inTransaction(this.deps.orm, async (em) => {
      const binding = await em.findOne(DeviceBinding, {
        id: deviceBindingId,
        tenantId: caller.tenantId,
      });
      if (!binding)
        return fail(
          userError(UserErrorCode.NOT_FOUND, 'No device binding has this id', 'deviceBindingId'),
        );
      if (binding.status === DeviceBindingStatus.ACTIVE)
        this.deregister(em, binding, this.deps.clock());
      return ok(binding);
    });
  }

  async findBinding(caller: Caller, id: string): Promise<DeviceBinding | null> {
    if (!isLookupKey(id)) return null;
    return this.deps.orm.em.fork().findOne(DeviceBinding, { id, tenantId: caller.tenantId });
  }

  private async loadBound(
    em: Em,
    caller: Caller,
    ids: { registrationId: string; deviceBindingId: string },
  ): Promise<Omit<Bound, 'repeated'>> {
    const registration = await em.findOneOrFail(Registration, {
      id: ids.registrationId,
      tenantId: caller.tenantId,
    });
    const deviceBinding = await em.findOneOrFail(DeviceBinding, {
      id: ids.deviceBindingId,
      tenantId: caller.tenantId,
    });
    return { registration, deviceBinding };
  }

  private async deregisterActive(
    em: Em,
    caller: Caller,
    merchantCustomerId: string,
    now: Date,
  ): Promise<void> {
    const active = await em.find(DeviceBinding, {
      tenantId: caller.tenantId,
      merchantCustomerId,
      status: DeviceBindingStatus.ACTIVE,
    });
    for (const binding of active) this.deregister(em, binding, now);
  }

  private deregister(em: Em, binding: DeviceBinding, now: Date): void {
    binding.status = DeviceBindingStatus.DEREGISTERED;
    binding.deregisteredAt = now;
    this.recordBindingChange(em, binding, now);
  }

  private recordBindingChange(em: Em, binding: DeviceBinding, at: Date): void {
    recordStatusChange(em, {
      topic: TOPICS.deviceBinding,
      tenantId: binding.tenantId,
      aggregateId: binding.id,
      status: binding.status,
      at,
    });
  }
}
