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

/**
 * The service keeps no machine-readable decline cause, only the reason text; the inbound-SMS rule
 * writes this one when a second number sends the same token. A cause column would end the guess.
 */
const FRAUD_REASON_PREFIX = 'Device binding process declined due to fraud';

export function pollingAnswerOf(registration: {
  status: RegistrationStatus;
  statusReason?: string | null;
}): PollingAnswer {
  if (
    registration.status === RegistrationStatus.DECLINED &&
    registration.statusReason?.startsWith(FRAUD_REASON_PREFIX)
  ) {
    return FRAUD_DECLINE;
  }
  return POLLING_ANSWERS[registration.status];
}
