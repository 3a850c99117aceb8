export enum ConsentStatus {
  TRIGGERED = 'TRIGGERED',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
  INIT_FAILED = 'INIT_FAILED',
  EXPIRED = 'EXPIRED',
}

export enum ConsentDecision {
  ACCEPT = 'ACCEPT',
  REJECT = 'REJECT',
}

export function isFinalConsentStatus(status: ConsentStatus): boolean {
  return status !== ConsentStatus.TRIGGERED;
}

export function statusForDecision(decision: ConsentDecision): ConsentStatus {
  return decision === ConsentDecision.ACCEPT ? ConsentStatus.ACCEPTED : ConsentStatus.REJECTED;
}
