export enum RegistrationStatus {
  PENDING_SMS = 'PENDING_SMS',
  SMS_VERIFIED = 'SMS_VERIFIED',
  BOUND = 'BOUND',
  DECLINED = 'DECLINED',
  EXPIRED = 'EXPIRED',
  MISMATCH = 'MISMATCH',
}

/** Every status a registration may move to from each status; final statuses move nowhere. */
const TRANSITIONS: Record<RegistrationStatus, readonly RegistrationStatus[]> = {
  [RegistrationStatus.PENDING_SMS]: [
    RegistrationStatus.SMS_VERIFIED,
    RegistrationStatus.DECLINED,
    RegistrationStatus.EXPIRED,
    RegistrationStatus.MISMATCH,
  ],
  [RegistrationStatus.SMS_VERIFIED]: [
    RegistrationStatus.BOUND,
    RegistrationStatus.DECLINED,
    RegistrationStatus.EXPIRED,
  ],
  [RegistrationStatus.BOUND]: [],
  [RegistrationStatus.DECLINED]: [],
  [RegistrationStatus.EXPIRED]: [],
  [RegistrationStatus.MISMATCH]: [],
};

export function canTransition(from: RegistrationStatus, to: RegistrationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isFinalRegistrationStatus(status: RegistrationStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

/** Statuses in which the token is still live and the sweeper may expire it. */
export const OPEN_REGISTRATION_STATUSES = [
  RegistrationStatus.PENDING_SMS,
  RegistrationStatus.SMS_VERIFIED,
] as const;

export enum DeviceBindingStatus {
  ACTIVE = 'ACTIVE',
  DEREGISTERED = 'DEREGISTERED',
}
