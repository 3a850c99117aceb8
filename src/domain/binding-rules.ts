import { type UserError, UserErrorCode, userError } from './errors';
import { RegistrationStatus } from './registration-status';

export interface RegistrationAtBind {
  status: RegistrationStatus;
  expiresAt: Date;
  deviceId: string;
  os: string;
  ssid?: string | null;
  mobileNumber?: string | null;
}

export interface BindClaim {
  deviceId: string;
  os: string;
  ssid: string;
  /** Canonical. */
  mobileNumber: string;
}

export type BindVerdict =
  { kind: 'bind' } | { kind: 'already-bound' } | { kind: 'refused'; error: UserError };

const refuse = (code: UserErrorCode, message: string, field?: string): BindVerdict => ({
  kind: 'refused',
  error: userError(code, message, field),
});

const sameOs = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

function claimMatches(reg: RegistrationAtBind, claim: BindClaim): boolean {
  return (
    reg.deviceId === claim.deviceId &&
    sameOs(reg.os, claim.os) &&
    (!reg.ssid || reg.ssid === claim.ssid) &&
    reg.mobileNumber === claim.mobileNumber
  );
}

/** Whether bindDevice may complete this registration for this claim. A retry after BOUND with the same claim answers the binding, whatever the clock says. */
export function judgeBind(reg: RegistrationAtBind, claim: BindClaim, now: Date): BindVerdict {
  switch (reg.status) {
    case RegistrationStatus.PENDING_SMS:
      if (now.getTime() > reg.expiresAt.getTime())
        return refuse(UserErrorCode.TOKEN_EXPIRED, 'The SMS token has expired', 'smsContent');
      return refuse(
        UserErrorCode.SMS_VERIFICATION_PENDING,
        'The SMS has not reached the virtual mobile number yet',
        'smsContent',
      );
    case RegistrationStatus.EXPIRED:
      return refuse(UserErrorCode.TOKEN_EXPIRED, 'The SMS token has expired', 'smsContent');
    case RegistrationStatus.DECLINED:
      return refuse(
        UserErrorCode.ALREADY_DECLINED,
        'This device binding was declined',
        'smsContent',
      );
    case RegistrationStatus.MISMATCH:
      return refuse(
        UserErrorCode.MOBILE_MISMATCH,
        'The SMS came from a number other than the expected one',
        'mobileNumber',
      );
    case RegistrationStatus.BOUND:
    case RegistrationStatus.SMS_VERIFIED:
      break;
  }
  if (reg.status === RegistrationStatus.BOUND) {
    return claimMatches(reg, claim)
      ? { kind: 'already-bound' }
      : refuse(
          UserErrorCode.ALREADY_BOUND,
          'This token already bound another device',
          'smsContent',
        );
  }
  if (reg.deviceId !== claim.deviceId)
    return refuse(
      UserErrorCode.DEVICE_MISMATCH,
      'deviceId differs from the one the token was issued to',
      'deviceId',
    );
  if (!sameOs(reg.os, claim.os))
    return refuse(
      UserErrorCode.DEVICE_MISMATCH,
      'os differs from the one the token was issued to',
      'os',
    );
  if (reg.ssid && reg.ssid !== claim.ssid)
    return refuse(
      UserErrorCode.DEVICE_MISMATCH,
      'ssid differs from the SIM the token was issued for',
      'ssid',
    );
  if (reg.mobileNumber !== claim.mobileNumber)
    return refuse(
      UserErrorCode.MOBILE_MISMATCH,
      'mobileNumber is not the number the SMS came from',
      'mobileNumber',
    );
  if (now.getTime() > reg.expiresAt.getTime())
    return refuse(UserErrorCode.TOKEN_EXPIRED, 'The SMS token has expired', 'smsContent');
  return { kind: 'bind' };
}

/** declineBinding: open attempts become DECLINED; a bound one answers ALREADY_BOUND (legacy JPAB). */
export function judgeDecline(status: RegistrationStatus): UserError | null {
  switch (status) {
    case RegistrationStatus.PENDING_SMS:
    case RegistrationStatus.SMS_VERIFIED:
      return null;
    case RegistrationStatus.BOUND:
      return userError(UserErrorCode.ALREADY_BOUND, 'Device already bound', 'smsContent');
    case RegistrationStatus.DECLINED:
      return userError(
        UserErrorCode.ALREADY_DECLINED,
        'Device binding already declined',
        'smsContent',
      );
    case RegistrationStatus.EXPIRED:
      return userError(UserErrorCode.TOKEN_EXPIRED, 'The SMS token has expired', 'smsContent');
    case RegistrationStatus.MISMATCH:
      return userError(
        UserErrorCode.MOBILE_MISMATCH,
        'The attempt already ended in a mobile mismatch',
        'smsContent',
      );
  }
}
