import { type FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { UserErrorCode } from '../../domain/errors';
import { callerByMerchantSignature } from '../shared/credentials';
import { type RestDeps } from '../shared/deps';
import { failureOf, invalidInput, renderFailuresAs } from '../shared/failure';
import { pspFailure, pspFailureOf, pspResponseCodeOf, pspSuccess } from '../shared/psp-envelope';
import {
  optionalFlag,
  optionalText,
  requireObjectBody,
  udfParametersOf,
} from '../shared/request-fields';

export const GET_SMS_TOKEN_PATH = '/api/v1/merchants/customer/getSmsToken';
export const BIND_DEVICE_PATH = '/api/v1/merchants/customer/bindDevice';

const JUSPAY_FIELD_NAMES = {
  osVersion: 'version',
  deregisterOldBindings: 'deregisterOldCustomer',
};

/** Juspay's "Bind Device Additional ErrorCodes": answers about the attempt, given with HTTP 200. */
const BIND_VERDICTS: ReadonlySet<UserErrorCode> = new Set([
  UserErrorCode.SMS_VERIFICATION_PENDING,
  UserErrorCode.TOKEN_EXPIRED,
  UserErrorCode.MOBILE_MISMATCH,
  UserErrorCode.ALREADY_DECLINED,
]);

/** ISO 8601 with an explicit offset, whole seconds (rounded down, so never later than the truth). */
function isoWithOffset(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Juspay-style customer APIs (seed 004): merchant signature over the raw body. */
export async function juspayRoutes(app: FastifyInstance, deps: RestDeps): Promise<void> {
  renderFailuresAs(app, (failure, request) => pspFailureOf(failure, udfParametersOf(request)));

  app.post(GET_SMS_TOKEN_PATH, async (request) => {
    const caller = await callerByMerchantSignature(request, deps);
    const body = requireObjectBody(request);
    const udfParameters = optionalText(body, 'udfParameters');
    const provider = optionalText(body, 'provider');
    const outcome = await deps.services.registrations.requestSmsToken(caller, {
      // Absent values reach the service, which names the missing field.
      merchantCustomerId: optionalText(body, 'merchantCustomerId') as string,
      deviceId: optionalText(body, 'deviceId') as string,
      os: optionalText(body, 'os') as string,
      udfParameters,
    });
    if (!outcome.ok) throw failureOf(outcome.errors[0], JUSPAY_FIELD_NAMES);
    const { registration, smsContent } = outcome.value;
    return pspSuccess(
      {
        serviceProviders: [{ name: provider ?? 'DEFAULT', number: registration.vmn, smsContent }],
        expiryTimestamp: isoWithOffset(registration.expiresAt),
      },
      udfParameters,
    );
  });

  app.post(BIND_DEVICE_PATH, async (request) => {
    const caller = await callerByMerchantSignature(request, deps);
    const body = requireObjectBody(request);
    if (optionalFlag(body, 'isOtpRequired')) {
      throw invalidInput(
        'OTP verification is not offered; bind with the SMS token',
        'isOtpRequired',
      );
    }
    const udfParameters = optionalText(body, 'udfParameters');
    const merchantCustomerId = optionalText(body, 'merchantCustomerId');
    const smsContent = optionalText(body, 'smsContent');
    const outcome = await deps.services.bindings.bindDevice(caller, {
      // Absent values reach the service, which names the missing field.
      merchantCustomerId: merchantCustomerId as string,
      smsContent: smsContent as string,
      deviceId: optionalText(body, 'deviceId') as string,
      ssid: optionalText(body, 'ssid') as string,
      manufacturer: optionalText(body, 'manufacturer') as string,
      model: optionalText(body, 'model') as string,
      os: optionalText(body, 'os') as string,
      osVersion: optionalText(body, 'version') as string,
      packageName: optionalText(body, 'packageName') as string,
      mobileNumber: optionalText(body, 'mobileNumber') as string,
      deregisterOldBindings: optionalFlag(body, 'deregisterOldCustomer'),
      // Idempotent for a day: the same bytes again replay the first answer and create nothing.
      idempotencyKey: `juspay-bind:${createHash('sha256')
        .update(request.rawBody ?? '')
        .digest('hex')}`,
      udfParameters,
    });
    const merchant = { merchantId: caller.merchantId, merchantChannelId: caller.merchantChannelId };
    if (outcome.ok) {
      const { deviceBinding } = outcome.value;
      return pspSuccess(
        {
          ...merchant,
          merchantCustomerId: deviceBinding.merchantCustomerId,
          customerMobileNumber: deviceBinding.mobileNumber,
          deviceFingerPrint: deviceBinding.fingerprint,
        },
        udfParameters,
      );
    }
    const [refusal] = outcome.errors;
    if (!BIND_VERDICTS.has(refusal.code)) throw failureOf(refusal, JUSPAY_FIELD_NAMES);
    // The seed's failure payload carries the number the VMN saw: what a mismatch is about.
    const registration = await deps.services.registrations.findBySmsContent(
      caller,
      smsContent as string,
    );
    return pspFailure(pspResponseCodeOf(refusal.code), refusal.message, udfParameters, {
      ...merchant,
      merchantCustomerId,
      ...(registration?.mobileNumber ? { customerMobileNumber: registration.mobileNumber } : {}),
    });
  });
}
