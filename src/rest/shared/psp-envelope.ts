import { UserErrorCode } from '../../domain/errors';
import { type RestFailure } from './failure';

/**
 * The `{status, responseCode, responseMessage, payload, udfParameters}` envelope of the PSP-style
 * APIs: Juspay's customer APIs and the Enstage decline API (seed 001) answer in it.
 */
export interface PspEnvelope {
  status: 'SUCCESS' | 'FAILURE';
  responseCode: string;
  responseMessage: string;
  payload?: Record<string, unknown>;
  udfParameters: string;
}

/** "Udf parameters as passed in the request"; the seed answers "{}" for an empty value. */
export function echoUdfParameters(udfParameters: string | undefined): string {
  return udfParameters && udfParameters.trim() !== '' ? udfParameters : '{}';
}

export function pspSuccess(
  payload: Record<string, unknown>,
  udfParameters: string | undefined,
): PspEnvelope {
  return {
    status: 'SUCCESS',
    responseCode: 'SUCCESS',
    responseMessage: 'SUCCESS',
    payload,
    udfParameters: echoUdfParameters(udfParameters),
  };
}

export function pspFailure(
  responseCode: string,
  responseMessage: string,
  udfParameters: string | undefined,
  payload?: Record<string, unknown>,
): PspEnvelope {
  return {
    status: 'FAILURE',
    responseCode,
    responseMessage,
    ...(payload ? { payload } : {}),
    udfParameters: echoUdfParameters(udfParameters),
  };
}

/** Juspay's documented bind-device codes where one exists; plain PSP codes otherwise. */
const RESPONSE_CODE_OF: Partial<Record<UserErrorCode, string>> = {
  [UserErrorCode.INVALID_INPUT]: 'INVALID_DATA',
  [UserErrorCode.NOT_FOUND]: 'REQUEST_NOT_FOUND',
  [UserErrorCode.SMS_VERIFICATION_PENDING]: 'SMS_VERIFICATION_PENDING',
  [UserErrorCode.TOKEN_EXPIRED]: 'SMS_VERIFICATION_EXPIRED',
  [UserErrorCode.MOBILE_MISMATCH]: 'SMS_VERIFICATION_MISMATCH',
  [UserErrorCode.ALREADY_DECLINED]: 'REGISTRATION_DECLINED',
  [UserErrorCode.ATTEMPT_LIMIT_EXCEEDED]: 'BIND_DEVICE_LIMIT_EXCEEDED',
  [UserErrorCode.DEVICE_MISMATCH]: 'DEVICE_FINGERPRINT_MISMATCH',
  [UserErrorCode.ALREADY_BOUND]: 'DEVICE_ALREADY_BOUND',
  [UserErrorCode.IDEMPOTENCY_KEY_REUSED]: 'DUPLICATE_REQUEST',
};

export function pspResponseCodeOf(code: UserErrorCode): string {
  return RESPONSE_CODE_OF[code] ?? code;
}

/** The envelope of any refusal: auth, body, input or the service's. */
export function pspFailureOf(failure: RestFailure, udfParameters: string | undefined): PspEnvelope {
  const responseCode = failure.userCode
    ? pspResponseCodeOf(failure.userCode)
    : failure.reason === 'unauthorized'
      ? 'UNAUTHORIZED'
      : failure.reason === 'internal'
        ? 'INTERNAL_SERVER_ERROR'
        : failure.reason === 'rate-limited'
          ? 'TOO_MANY_REQUESTS'
          : 'BAD_REQUEST';
  return pspFailure(responseCode, failure.message, udfParameters);
}
