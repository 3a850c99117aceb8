import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type Caller } from '../../services';
import { callerByBasicAuth } from '../shared/credentials';
import { type RestDeps } from '../shared/deps';
import { renderFailuresAs } from '../shared/failure';
import { optionalObject, optionalText, requireObjectBody } from '../shared/request-fields';
import {
  BIND_STATUS_OF,
  customerReferenceOf,
  deviceOf,
  echoedDevice,
  razorpayErrorBody,
  razorpayFailureOf,
  requireSmsVerification,
} from './mapping';

export const VERIFICATION_PATH = '/v1/upi/tpap/mobile/verification';
export const BIND_PATH = '/v1/upi/tpap/devices/bind';

async function authenticate(
  request: FastifyRequest,
  deps: RestDeps,
): Promise<{ caller: Caller; merchantCustomerId: string }> {
  const caller = await callerByBasicAuth(request, deps);
  return { caller, merchantCustomerId: customerReferenceOf(request) };
}

/** Razorpay TPAP-style mobile verification and device bind: HTTP Basic + x-customer-reference. */
export async function razorpayRoutes(app: FastifyInstance, deps: RestDeps): Promise<void> {
  renderFailuresAs(app, razorpayErrorBody);

  app.post(VERIFICATION_PATH, async (request) => {
    const { caller, merchantCustomerId } = await authenticate(request, deps);
    const body = requireObjectBody(request);
    requireSmsVerification(body);
    const device = deviceOf(body);
    const networkProvider = optionalText(body, 'network_provider');
    const outcome = await deps.services.registrations.requestSmsToken(caller, {
      merchantCustomerId,
      // Absent values reach the service, which names the missing field.
      deviceId: device.uuid as string,
      os: device.os as string,
      ssid: device.ssid,
      expectedMobileNumber: optionalText(body, 'mobile'),
    });
    if (!outcome.ok) throw razorpayFailureOf(outcome.errors[0], device.nested);
    const { registration, smsContent } = outcome.value;
    return {
      verification_type: 'sms',
      sms: {
        content: smsContent,
        receiver_number: [{ network_provider: networkProvider ?? null, mobile: registration.vmn }],
      },
      expire_at: Math.floor(registration.expiresAt.getTime() / 1000),
    };
  });

  app.post(BIND_PATH, async (request) => {
    const { caller, merchantCustomerId } = await authenticate(request, deps);
    const body = requireObjectBody(request);
    requireSmsVerification(body);
    const sms = optionalObject(body, 'sms');
    const smsContent = sms ? optionalText(sms, 'content', 'sms.content') : undefined;
    const mobile = optionalText(body, 'mobile');
    const device = deviceOf(body);
    const outcome = await deps.services.bindings.bindDevice(caller, {
      merchantCustomerId,
      // Absent values reach the service, which names the missing field.
      smsContent: smsContent as string,
      deviceId: device.uuid as string,
      ssid: device.ssid as string,
      manufacturer: device.manufacturer as string,
      model: device.model as string,
      os: device.os as string,
      osVersion: device.os_version as string,
      packageName: device.app as string,
      mobileNumber: mobile as string,
    });
    let status: string;
    if (outcome.ok) {
      status = outcome.value.repeated ? 'device_already_verified' : 'verified';
    } else {
      const [refusal] = outcome.errors;
      const answer = BIND_STATUS_OF[refusal.code];
      if (!answer) throw razorpayFailureOf(refusal, device.nested);
      status = answer;
    }
    // The caller's own mobile format is echoed; the canonical form stays inside.
    return { entity: 'upi.device', mobile, ...echoedDevice(device), status };
  });
}
