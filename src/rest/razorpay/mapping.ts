import { type FastifyRequest } from 'fastify';
import { type UserError, UserErrorCode } from '../../domain/errors';
import {
  failureOf,
  type FailureReason,
  type FieldNames,
  invalidInput,
  RestFailure,
} from '../shared/failure';
import { headerOf, type JsonObject, optionalObject, optionalText } from '../shared/request-fields';

/** The device as Razorpay names it; `nested` says whether the caller sent a `device` object. */
export interface RazorpayDevice {
  uuid?: string;
  app?: string;
  ssid?: string;
  manufacturer?: string;
  model?: string;
  os?: string;
  os_version?: string;
  nested: boolean;
}

const DEVICE_FIELDS = ['uuid', 'app', 'ssid', 'manufacturer', 'model', 'os', 'os_version'] as const;

/** The seed's sample sends the device flat, its parameter table as `device`: both are read. */
export function deviceOf(body: JsonObject): RazorpayDevice {
  const nested = optionalObject(body, 'device');
  const source = nested ?? body;
  const device: RazorpayDevice = { nested: nested !== undefined };
  for (const name of DEVICE_FIELDS) {
    device[name] = optionalText(source, name, nested ? `device.${name}` : name);
  }
  return device;
}

/** The echoed device fields of a `upi.device` entity, in the seed's order. */
export function echoedDevice(device: RazorpayDevice): Omit<RazorpayDevice, 'nested'> {
  const echoed: Omit<RazorpayDevice, 'nested'> = {};
  for (const name of DEVICE_FIELDS) echoed[name] = device[name];
  return echoed;
}

export const CUSTOMER_HEADER = 'x-customer-reference';

/** x-customer-reference is the merchantCustomerId; the service checks its form. */
export function customerReferenceOf(request: FastifyRequest): string {
  const reference = headerOf(request, CUSTOMER_HEADER);
  if (!reference) throw invalidInput(`${CUSTOMER_HEADER} header is required`, CUSTOMER_HEADER);
  return reference;
}

export function requireSmsVerification(body: JsonObject): void {
  if (optionalText(body, 'verification_type') !== 'sms') {
    throw invalidInput('verification_type must be "sms"', 'verification_type');
  }
}

/** Service field -> Razorpay field, for a request whose device came flat or nested. */
export function razorpayFieldNames(nested: boolean): FieldNames {
  const device = nested ? 'device.' : '';
  return {
    merchantCustomerId: CUSTOMER_HEADER,
    smsContent: 'sms.content',
    deviceId: `${device}uuid`,
    packageName: `${device}app`,
    osVersion: `${device}os_version`,
    ssid: `${device}ssid`,
    manufacturer: `${device}manufacturer`,
    model: `${device}model`,
    os: `${device}os`,
    mobileNumber: 'mobile',
    expectedMobileNumber: 'mobile',
  };
}

/** Bind outcomes that are answers about the verification, not faults of the request. */
export const BIND_STATUS_OF: Partial<Record<UserErrorCode, string>> = {
  [UserErrorCode.SMS_VERIFICATION_PENDING]: 'mobile_verification_pending',
  [UserErrorCode.TOKEN_EXPIRED]: 'mobile_verification_expired',
  [UserErrorCode.MOBILE_MISMATCH]: 'mobile_verification_mismatch',
  [UserErrorCode.ALREADY_DECLINED]: 'mobile_verification_failed',
};

const REASON_OF: Record<FailureReason, string> = {
  unauthorized: 'authentication_failed',
  'malformed-body': 'malformed_request',
  'body-too-large': 'payload_too_large',
  'unsupported-media-type': 'unsupported_content_type',
  'invalid-input': 'input_validation_failed',
  'not-found': 'resource_not_found',
  conflict: 'request_conflict',
  'rate-limited': 'too_many_requests',
  internal: 'server_error',
};

/** A service refusal in Razorpay's terms: it answers every refusal but a server fault as a 400. */
export function razorpayFailureOf(error: UserError, nested: boolean): RestFailure {
  const failure = failureOf(error, razorpayFieldNames(nested));
  if (failure.status !== 409) return failure;
  return new RestFailure(400, failure.reason, failure.message, failure.field, failure.userCode);
}

/** Razorpay's `{error: {code, description, field}}`, with `reason` as its finer machine-readable cause. */
export function razorpayErrorBody(failure: RestFailure): unknown {
  const reason =
    failure.userCode && failure.reason === 'conflict'
      ? failure.userCode.toLowerCase()
      : REASON_OF[failure.reason];
  return {
    error: {
      code: failure.status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST_ERROR',
      description: failure.message,
      field: failure.field ?? null,
      reason,
    },
  };
}
