import { randomInt, randomUUID } from 'node:crypto';
import { judgeDecline } from '../domain/binding-rules';
import { fail, ok, type Outcome, UserErrorCode, userError } from '../domain/errors';
import { canonicalMobileNumber } from '../domain/mobile-number';
import { RegistrationStatus } from '../domain/registration-status';
import { generateSmsToken, hashSmsToken } from '../domain/sms-token';
import { InputCheck, isLookupKey, LIMITS } from '../domain/validation';
import { Registration } from '../persistence/entities';
import { type LeanReads, leanReadsOf } from '../persistence/lean-reads';
import { appendRow } from './appended-rows';
import { ensureCustomer } from './customer-service';
import { type Caller, type ServiceDeps } from './deps';
import { recordRegistrationStatus, moveRegistration } from './registration-transitions';
import { inTransaction, lockKey } from './transactions';

/** NPCI allows three SMS tokens per device in 24 hours. */
export const MAX_TOKENS_PER_DEVICE_PER_DAY = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RequestSmsTokenInput {
  merchantCustomerId: string;
  deviceId: string;
  os: string;
  ssid?: string | null;
  expectedMobileNumber?: string | null;
  udfParameters?: string | null;
}

export interface IssuedToken {
  registration: Registration;
  /** The SMS body the app must send; never stored, returned once. */
  smsContent: string;
}

export interface DeclineBindingInput {
  smsContent: string;
  reason?: string | null;
  udfParameters?: string | null;
}

export class RegistrationService {
  /** The legacy pollers' read, the busiest there is, skips the ORM's per-query work. */
  private readonly reads: LeanReads;

  constructor(private readonly deps: ServiceDeps) {
    this.reads = leanReadsOf(deps.orm);
  }

  async requestSmsToken(
    caller: Caller,
    input: RequestSmsTokenInput,
  ): Promise<Outcome<IssuedToken>> {
    const check = new InputCheck()
      .merchantCustomerId('merchantCustomerId', input.merchantCustomerId)
      .text('deviceId', input.deviceId, LIMITS.deviceId)
      .text('os', input.os, LIMITS.os)
      .text('ssid', input.ssid, LIMITS.ssid, false)
      .mobileNumber('expectedMobileNumber', input.expectedMobileNumber, false)
      .udfParameters('udfParameters', input.udfParameters);
    if (check.errors.length > 0) return fail(...check.errors);

    const expected = input.expectedMobileNumber
      ? canonicalMobileNumber(input.expectedMobileNumber)
      : null;
    const smsContent = generateSmsToken();
    return inTransaction(this.deps.orm, async (em) => {
      const now = this.deps.clock();
      await lockKey(em, `device:${caller.tenantId}:${input.deviceId}`);
      const recent = await em.count(Registration, {
        tenantId: caller.tenantId,
        deviceId: input.deviceId,
        createdAt: { $gt: new Date(now.getTime() - DAY_MS) },
      });
      if (recent >= MAX_TOKENS_PER_DEVICE_PER_DAY) {
        return fail(
          userError(
            UserErrorCode.ATTEMPT_LIMIT_EXCEEDED,
            `At most ${MAX_TOKENS_PER_DEVICE_PER_DAY} SMS tokens per device in 24 hours`,
            'deviceId',
          ),
        );
      }
      ensureCustomer(em, caller.tenantId, input.merchantCustomerId, now);
      const vmns = this.deps.config.vmnNumbers;
      const registration = appendRow(em, Registration, {
        id: randomUUID(),
        tenantId: caller.tenantId,
        refNumber: String(randomInt(1_000_000_000, 10_000_000_000)),
        merchantCustomerId: input.merchantCustomerId,
        deviceId: input.deviceId,
        os: input.os,
        ssid: input.ssid || null,
        expectedMobileNumber: expected,
        tokenHash: hashSmsToken(smsContent),
        vmn: vmns[randomInt(vmns.length)],
        status: RegistrationStatus.PENDING_SMS,
        statusReason: 'Waiting for the SMS to reach the virtual mobile number',
        udfParameters: input.udfParameters || null,
        expiresAt: new Date(now.getTime() + this.deps.config.registrationTtlSeconds * 1000),
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      recordRegistrationStatus(em, registration, registration.statusReason ?? null, now);
      return ok({ registration, smsContent });
    });
  }

  async declineBinding(caller: Caller, input: DeclineBindingInput): Promise<Outcome<Registration>> {
    const check = new InputCheck()
      .text('smsContent', input.smsContent, LIMITS.smsContent)
      .text('reason', input.reason, LIMITS.reason, false)
      .udfParameters('udfParameters', input.udfParameters);
    if (check.errors.length > 0) return fail(...check.errors);

    return inTransaction(this.deps.orm, async (em) => {
      const registration = await em.findOne(Registration, {
        tenantId: caller.tenantId,
        tokenHash: hashSmsToken(input.smsContent),
      });
      if (!registration) {
        return fail(
          userError(UserErrorCode.NOT_FOUND, 'No registration has this SMS token', 'smsContent'),
        );
      }
      const refusal = judgeDecline(registration.status);
      if (refusal) return fail(refusal);
      moveRegistration(
        em,
        registration,
        RegistrationStatus.DECLINED,
        input.reason?.trim() || 'Declined by the customer',
        this.deps.clock(),
      );
      return ok(registration);
    });
  }

  async findRegistration(caller: Caller, id: string): Promise<Registration | null> {
    if (!isLookupKey(id)) return null;
    return this.deps.orm.em.fork().findOne(Registration, { id, tenantId: caller.tenantId });
  }

  /** The legacy polling lookup: the newest attempt for this device whose SIM is this ssid or not known yet. */
  async findLatestForDevice(
    caller: Caller,
    deviceId: string,
    ssid: string,
  ): Promise<Registration | null> {
    if (!isLookupKey(deviceId) || !isLookupKey(ssid)) return null;
    const [latest] = await this.reads.find(Registration, {
      where: { tenantId: caller.tenantId },
      // A token issued before the SIM was known carries no ssid yet.
      whereOrNull: { ssid },
      key: 'deviceId',
      values: [deviceId],
      orderBy: [
        ['createdAt', 'desc'],
        ['id', 'desc'],
      ],
      limit: 1,
    });
    return latest ?? null;
  }

  async findByRefNumber(caller: Caller, refNumber: string): Promise<Registration | null> {
    if (!isLookupKey(refNumber)) return null;
    return this.deps.orm.em.fork().findOne(Registration, { tenantId: caller.tenantId, refNumber });
  }

  /** The registration an SMS token belongs to, in the caller's tenant (legacy decline needs its customer). */
  async findBySmsContent(caller: Caller, smsContent: string): Promise<Registration | null> {
    return this.deps.orm.em.fork().findOne(Registration, {
      tenantId: caller.tenantId,
      tokenHash: hashSmsToken(smsContent),
    });
  }
}
