import { createHmac, randomUUID } from 'node:crypto';
import { hashSmsToken } from '../../src/domain/sms-token';
import {
  DeviceBinding,
  IdempotencyRecord,
  Registration,
  RegistrationEvent,
} from '../../src/persistence/entities';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { CUSTOMER_MOBILE } from './flows';
import { type TestServer } from './server';

/** Clients of the legacy REST families, written as their callers would write them. */

export interface LegacyResponse {
  status: number;
  body: any;
  readonly headers: Headers;
}

/** POSTs the body exactly as given (a string is sent byte for byte). */
export async function postLegacy(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: string | Record<string, unknown>,
): Promise<LegacyResponse> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Left as text so a failing assertion shows what came back.
  }
  // Not enumerable: suites compare {status, body} whole, and the headers would join that.
  return Object.defineProperty({ status: response.status, body: parsed }, 'headers', {
    value: response.headers,
  }) as LegacyResponse;
}

/** X-API-KEY + X-API-TOKEN, with the text/plain content type of the Enstage samples. */
export function enstageHeaders(
  tenant: Pick<TenantCredentials, 'apiKey' | 'apiToken'>,
): Record<string, string> {
  return {
    'X-API-TOKEN': tenant.apiToken,
    'X-API-KEY': tenant.apiKey,
    'Content-Type': 'text/plain',
  };
}

/** What curl's `-u keyId:keySecret` sends, plus the customer reference header. */
export function razorpayHeaders(
  tenant: Pick<TenantCredentials, 'keyId' | 'keySecret'>,
  customerReference: string,
): Record<string, string> {
  const basic = Buffer.from(`${tenant.keyId}:${tenant.keySecret}`).toString('base64');
  return {
    Authorization: `Basic ${basic}`,
    'Content-type': 'application/json',
    'x-customer-reference': customerReference,
  };
}

/** The Juspay merchant signature over `merchantId|merchantChannelId|timestamp|rawBody`. */
export function juspayHeaders(
  tenant: Pick<TenantCredentials, 'merchantId' | 'merchantChannelId' | 'signingSecret'>,
  rawBody: string,
  options: { timestampMs?: number; secret?: string } = {},
): Record<string, string> {
  const timestamp = String(options.timestampMs ?? Date.now());
  const signature = createHmac('sha256', options.secret ?? tenant.signingSecret)
    .update(`${tenant.merchantId}|${tenant.merchantChannelId}|${timestamp}|${rawBody}`)
    .digest('hex');
  return {
    'Content-Type': 'application/json',
    'x-merchant-id': tenant.merchantId,
    'x-merchant-channel-id': tenant.merchantChannelId,
    'x-timestamp': timestamp,
    'x-merchant-signature': signature,
  };
}

/** A JSON object body above the 64 KiB legacy limit. */
export function oversizedBody(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...fields, padding: 'x'.repeat(64 * 1024 + 1) });
}

/**
 * The seeds' samples carry a fixed token ("UPIACT ad56ef…"); Bindery issues random ones. This
 * gives a freshly issued registration the sample's token so the sample can be sent as written.
 */
export async function adoptSampleToken(
  server: TestServer,
  issuedSmsContent: string,
  sampleSmsContent: string,
): Promise<void> {
  const updated = await server.app.orm.em
    .fork()
    .nativeUpdate(
      Registration,
      { tokenHash: hashSmsToken(issuedSmsContent) },
      { tokenHash: hashSmsToken(sampleSmsContent) },
    );
  if (updated !== 1) throw new Error('no registration holds the issued token');
}

/** The registration an SMS token belongs to, read from the database. */
export function registrationOf(server: TestServer, smsContent: string) {
  return server.app.orm.em
    .fork()
    .findOneOrFail(Registration, { tokenHash: hashSmsToken(smsContent) });
}

/** Row counts of everything a legacy call could write: equal before and after means no change. */
export async function writes(server: TestServer) {
  const em = server.app.orm.em.fork();
  const [registrations, events, bindings, idempotency] = await Promise.all([
    em.count(Registration, {}),
    em.count(RegistrationEvent, {}),
    em.count(DeviceBinding, {}),
    em.count(IdempotencyRecord, {}),
  ]);
  return { registrations, events, bindings, idempotency };
}

/** The fixed token of the seeds' samples, and a second number that makes a token a fraud. */
export const SAMPLE_TOKEN = 'UPIACT ad56ef90396348bac56099';
export const SECOND_SENDER = '919800000099';

export const RAZORPAY = {
  verification: '/v1/upi/tpap/mobile/verification',
  bind: '/v1/upi/tpap/devices/bind',
} as const;

export interface RazorpayCustomer {
  reference: string;
  device: Record<string, string>;
}

export function razorpayCustomer(): RazorpayCustomer {
  return {
    reference: `cust-${randomUUID()}`,
    device: {
      uuid: `device-${randomUUID()}`,
      app: 'test.merchant.upi.com',
      ssid: `ssid-${randomUUID().slice(0, 8)}`,
      manufacturer: 'samsung',
      model: 'Galaxy S23',
      os: 'android',
      os_version: 'Dev12345',
    },
  };
}

export const razorpayPost = (
  server: TestServer,
  caller: TenantCredentials,
  path: string,
  customer: RazorpayCustomer,
  body: object,
) =>
  postLegacy(server.url, path, razorpayHeaders(caller, customer.reference), JSON.stringify(body));

/** The companion verification call, device nested as its docs show; answers the SMS to send. */
export async function razorpayVerify(
  server: TestServer,
  caller: TenantCredentials,
  customer: RazorpayCustomer,
  mobile = CUSTOMER_MOBILE,
): Promise<string> {
  const response = await razorpayPost(server, caller, RAZORPAY.verification, customer, {
    device: { ...customer.device, ip: '10.0.0.1', geocode: '12.97,77.59' },
    verification_type: 'sms',
    mobile,
    network_provider: 'jio',
  });
  if (response.status !== 200) throw new Error(`verification failed: ${JSON.stringify(response)}`);
  return response.body.sms.content;
}

/** Seed 003's bind body: the device flat, as its sample sends it. */
export const razorpayBindBody = (
  customer: RazorpayCustomer,
  content: string,
  mobile = CUSTOMER_MOBILE,
): Record<string, unknown> => ({
  mobile,
  verification_type: 'sms',
  sms: { content },
  ...customer.device,
});

export const JUSPAY = {
  getSmsToken: '/api/v1/merchants/customer/getSmsToken',
  bindDevice: '/api/v1/merchants/customer/bindDevice',
} as const;

let juspayStep = 0;

/** Signed at the server's clock (tests move it), each with its own timestamp so none is a replay. */
export function juspaySigned(
  server: TestServer,
  caller: TenantCredentials,
  rawBody: string,
  options: { secret?: string } = {},
): Record<string, string> {
  const timestampMs = server.clock.now().getTime() + ++juspayStep;
  return juspayHeaders(caller, rawBody, { timestampMs, ...options });
}

export function juspaySend(
  server: TestServer,
  caller: TenantCredentials,
  path: string,
  body: Record<string, unknown>,
) {
  const raw = JSON.stringify(body);
  return postLegacy(server.url, path, juspaySigned(server, caller, raw), raw);
}

export interface JuspayAttempt {
  merchantCustomerId: string;
  deviceId: string;
  smsContent: string;
}

export async function juspayGetSmsToken(
  server: TestServer,
  caller: TenantCredentials,
): Promise<JuspayAttempt> {
  const attempt = { merchantCustomerId: `cust.${randomUUID()}`, deviceId: `dev-${randomUUID()}` };
  const response = await juspaySend(server, caller, JUSPAY.getSmsToken, {
    ...attempt,
    os: 'android',
  });
  if (response.status !== 200) throw new Error(`getSmsToken failed: ${JSON.stringify(response)}`);
  return { ...attempt, smsContent: response.body.payload.serviceProviders[0].smsContent };
}

/** Seed 004's bindDevice fields, in its order. */
export const juspayBindBody = (
  attempt: JuspayAttempt,
  mobileNumber = CUSTOMER_MOBILE,
  udfParameters = '{"udf1":"value1","udf2":"value2"}',
) => ({
  merchantCustomerId: attempt.merchantCustomerId,
  smsContent: attempt.smsContent,
  deviceId: attempt.deviceId,
  manufacturer: 'samsung',
  model: 'Galaxy S23',
  version: '14',
  os: 'android',
  ssid: '8991000900000000001',
  mobileNumber,
  packageName: 'test.merchant.upi.com',
  deregisterOldCustomer: 'false',
  udfParameters,
});
