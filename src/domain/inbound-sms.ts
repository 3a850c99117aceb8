import { RegistrationStatus } from './registration-status';

/** The reason a second sender's SMS declines an attempt with; legacy pollers tell fraud by it. */
export const FRAUD_DECLINE_REASON =
  'Device binding process declined due to fraud: the same token came from a second number';

export interface RegistrationAtSms {
  status: RegistrationStatus;
  expiresAt: Date;
  expectedMobileNumber?: string | null;
  mobileNumber?: string | null;
}

/** What an SMS carrying a registration's token does to it. */
export type SmsVerdict =
  | { kind: 'transition'; to: RegistrationStatus; reason: string; recordSender: boolean }
  | { kind: 'no-change'; reason: string };

/**
 * The rules for an SMS that reached the VMN with a known token. `sender` is canonical.
 * The same token from a second number means the token leaked: the attempt is declined as fraud.
 */
export function judgeInboundSms(reg: RegistrationAtSms, sender: string, now: Date): SmsVerdict {
  switch (reg.status) {
    case RegistrationStatus.PENDING_SMS:
      if (now.getTime() > reg.expiresAt.getTime()) {
        return {
          kind: 'transition',
          to: RegistrationStatus.EXPIRED,
          reason: 'SMS arrived after the token expired',
          recordSender: true,
        };
      }
      if (reg.expectedMobileNumber && reg.expectedMobileNumber !== sender) {
        return {
          kind: 'transition',
          to: RegistrationStatus.MISMATCH,
          reason: 'SMS came from a number other than the expected mobile number',
          recordSender: true,
        };
      }
      return {
        kind: 'transition',
        to: RegistrationStatus.SMS_VERIFIED,
        reason: 'SMS received from the customer',
        recordSender: true,
      };
    case RegistrationStatus.SMS_VERIFIED:
      if (reg.mobileNumber === sender)
        return { kind: 'no-change', reason: 'repeated SMS from the verified sender' };
      return {
        kind: 'transition',
        to: RegistrationStatus.DECLINED,
        reason: FRAUD_DECLINE_REASON,
        recordSender: false,
      };
    default:
      return { kind: 'no-change', reason: `registration is already ${reg.status}` };
  }
}
