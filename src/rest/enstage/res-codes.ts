import { FRAUD_DECLINE_REASON } from '../../domain/inbound-sms';
import { RegistrationStatus } from '../../domain/registration-status';

export interface PollingAnswer {
  resCode: string;
  resDesc: string;
}

/** The polling table of docs/legacy-codes.md; 1xx in progress, 200 bound, 5xx ended unbound. */
export const POLLING_ANSWERS = {
  [RegistrationStatus.PENDING_SMS]: {
    resCode: '100',
    resDesc: 'SMS token issued, waiting for the SMS from the customer',
  },
  [RegistrationStatus.SMS_VERIFIED]: {
    resCode: '101',
    resDesc: 'SMS verified, device binding pending',
  },
  [RegistrationStatus.BOUND]: { resCode: '200', resDesc: 'Device binding successful' },
  [RegistrationStatus.DECLINED]: {
    resCode: '500',
    resDesc: 'Device binding declined by the customer',
  },
  [RegistrationStatus.EXPIRED]: {
    resCode: '502',
    resDesc: 'SMS token expired before device binding completed',
  },
  [RegistrationStatus.MISMATCH]: {
    resCode: '503',
    resDesc: 'SMS received from a mobile number other than the expected one',
  },
} as const satisfies Record<RegistrationStatus, PollingAnswer>;

/** Seed 000 fixes this row. */
export const FRAUD_DECLINE: PollingAnswer = {
  resCode: '501',
  resDesc: 'Device binding process declined due to fraud',
};

export function pollingAnswerOf(registration: {
  status: RegistrationStatus;
  statusReason?: string | null;
}): PollingAnswer {
  if (
    registration.status === RegistrationStatus.DECLINED &&
    // The one decline the inbound-SMS rule makes; others are the customer's or the app's.
    registration.statusReason === FRAUD_DECLINE_REASON
  ) {
    return FRAUD_DECLINE;
  }
  return POLLING_ANSWERS[registration.status];
}
