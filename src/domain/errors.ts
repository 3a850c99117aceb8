/** Machine-readable reasons a use case did not do what was asked (the contract's UserErrorCode). */
export enum UserErrorCode {
  INVALID_INPUT = 'INVALID_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  TOKEN_EXPIRED = 'TOKEN_EXPIRED',
  SMS_VERIFICATION_PENDING = 'SMS_VERIFICATION_PENDING',
  MOBILE_MISMATCH = 'MOBILE_MISMATCH',
  DEVICE_MISMATCH = 'DEVICE_MISMATCH',
  ALREADY_BOUND = 'ALREADY_BOUND',
  ALREADY_DECLINED = 'ALREADY_DECLINED',
  ATTEMPT_LIMIT_EXCEEDED = 'ATTEMPT_LIMIT_EXCEEDED',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  CONSENT_ALREADY_DECIDED = 'CONSENT_ALREADY_DECIDED',
  CONSENT_EXPIRED = 'CONSENT_EXPIRED',
  DEVICE_NOT_BOUND = 'DEVICE_NOT_BOUND',
  DUPLICATE_TRANSACTION = 'DUPLICATE_TRANSACTION',
}

export interface UserError {
  code: UserErrorCode;
  message: string;
  /** Input field name(s), without the transport's own prefix (GraphQL adds "input"). */
  field?: string[];
}

export function userError(code: UserErrorCode, message: string, field?: string): UserError {
  return field === undefined ? { code, message } : { code, message, field: [field] };
}

/** A use case's answer: what it produced, or the errors that stopped it (never both). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: UserError[] };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T = never>(...errors: UserError[]): Outcome<T> => ({ ok: false, errors });
