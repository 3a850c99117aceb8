import { type FastifyInstance } from 'fastify';
import { UserErrorCode } from '../../domain/errors';
import { InputCheck, LIMITS } from '../../domain/validation';
import { type Registration } from '../../persistence/entities';
import { type Caller } from '../../services';
import { callerByApiKey } from '../shared/credentials';
import { type RestDeps } from '../shared/deps';
import { failureOf, invalidInput, notFound, renderFailuresAs } from '../shared/failure';
import { pspFailureOf, pspSuccess } from '../shared/psp-envelope';
import {
  type JsonObject,
  optionalText,
  requireObjectBody,
  udfParametersOf,
} from '../shared/request-fields';
import { pollingAnswerOf } from './res-codes';

export const POLLING_PATH = '/upi-integration/upi/registration/v1/polling';
export const DECLINE_PATH = '/upi-integration/upi/registration/v1/decline/deviceBinding';

const DECLINED = { gatewayResponseCode: 'JP19', gatewayResponseMessage: 'Device binding declined' };
const ALREADY_BOUND = {
  gatewayResponseCode: 'JPAB',
  gatewayResponseMessage: 'Device already binded',
};

/** The seed shows refNumber as a string of digits; callers that send a JSON number mean the same. */
function refNumberOf(body: JsonObject): string | undefined {
  const value = body.refNumber;
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,20}$/.test(text)) {
    throw invalidInput('refNumber must be a string of at most 20 digits', 'refNumber');
  }
  return text;
}

async function findPolled(
  deps: RestDeps,
  caller: Caller,
  body: JsonObject,
): Promise<Registration | null> {
  const refNumber = refNumberOf(body);
  if (refNumber !== undefined)
    return deps.services.registrations.findByRefNumber(caller, refNumber);
  const ssid = optionalText(body, 'ssid');
  const deviceId = optionalText(body, 'deviceId');
  const check = new InputCheck()
    .text('ssid', ssid, LIMITS.ssid)
    .text('deviceId', deviceId, LIMITS.deviceId);
  const [problem] = check.errors;
  if (problem) {
    throw failureOf({ ...problem, message: `${problem.message} (or send refNumber)` });
  }
  return deps.services.registrations.findLatestForDevice(caller, deviceId!, ssid!);
}

/** Enstage-style registration polling (seed 000) and decline (seed 001), X-API-KEY + X-API-TOKEN. */
export async function enstageRoutes(app: FastifyInstance, deps: RestDeps): Promise<void> {
  renderFailuresAs(app, (failure, request) =>
    request.routeOptions.url === DECLINE_PATH
      ? pspFailureOf(failure, udfParametersOf(request))
      : { status: 'FAILURE', resCode: String(failure.status), resDesc: failure.message },
  );

  app.post(POLLING_PATH, async (request) => {
    const caller = await callerByApiKey(request, deps);
    const registration = await findPolled(deps, caller, requireObjectBody(request));
    if (!registration) throw notFound('No registration matches the request');
    return { status: 'SUCCESS', ...pollingAnswerOf(registration) };
  });

  app.post(DECLINE_PATH, async (request) => {
    const caller = await callerByApiKey(request, deps);
    const body = requireObjectBody(request);
    const udfParameters = optionalText(body, 'udfParameters');
    const smsContent = optionalText(body, 'smsContent');
    const outcome = await deps.services.registrations.declineBinding(caller, {
      // Absent values reach the service, which names the missing field.
      smsContent: smsContent as string,
      udfParameters,
    });
    let merchantCustomerId: string;
    let gateway = DECLINED;
    if (outcome.ok) {
      merchantCustomerId = outcome.value.merchantCustomerId;
    } else {
      const [refusal] = outcome.errors;
      // A repeated decline finds the attempt declined already: the caller's wish holds, say so again.
      if (refusal.code === UserErrorCode.ALREADY_BOUND) gateway = ALREADY_BOUND;
      else if (refusal.code !== UserErrorCode.ALREADY_DECLINED) throw failureOf(refusal);
      const registration = await deps.services.registrations.findBySmsContent(
        caller,
        smsContent as string,
      );
      if (!registration) throw notFound('No registration has this SMS token', 'smsContent');
      merchantCustomerId = registration.merchantCustomerId;
    }
    return pspSuccess(
      {
        merchantId: caller.merchantId,
        merchantChannelId: caller.merchantChannelId,
        merchantCustomerId,
        ...gateway,
      },
      udfParameters,
    );
  });
}
