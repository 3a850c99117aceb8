import { createHmac, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { VMN_SECRET, type Tenant } from './bindery';

/**
 * Keep-alive sockets as a real client pool holds them; node:http rather than fetch because the
 * load generator shares two cores with the server and fetch costs several times more CPU per call.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
/** A server stuck on its own pool (seen: 60 s knex acquire timeouts) must not stall the run. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the wire
}

export function post(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Left as text so a failure message shows what came back.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => {
      req.destroy(new Error(`no answer from ${path} within ${REQUEST_TIMEOUT_MS} ms`));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function tenantHeaders(tenant: Pick<Tenant, 'apiKey' | 'apiToken'>) {
  return { 'x-api-key': tenant.apiKey, 'x-api-token': tenant.apiToken };
}

export function graphqlBody(query: string, variables: Record<string, unknown>): string {
  return JSON.stringify({ query, variables });
}

export async function graphql(
  baseUrl: string,
  tenant: Tenant,
  query: string,
  variables: Record<string, unknown>,
): Promise<Answer> {
  return post(
    baseUrl,
    '/graphql',
    { 'content-type': 'application/json', ...tenantHeaders(tenant) },
    graphqlBody(query, variables),
  );
}

/** Plays the VMN aggregator: a report of an SMS, signed as README's curl example signs it. */
export function deliverSms(
  baseUrl: string,
  sms: { from: string; to: string; content: string },
): Promise<Answer> {
  const body = JSON.stringify({
    messageId: randomUUID(),
    ...sms,
    receivedAt: new Date().toISOString(),
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', VMN_SECRET).update(`${timestamp}.${body}`).digest('hex');
  return post(
    baseUrl,
    '/v1/vmn/inbound-sms',
    { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signature },
    body,
  );
}

export const CUSTOMER_MOBILE = '919812345678';

export const REQUEST_SMS_TOKEN = `mutation ($input: RequestSmsTokenInput!) {
  requestSmsToken(input: $input) { smsContent registration { id vmn status } errors { code message } } }`;

export const BIND_DEVICE = `mutation ($input: BindDeviceInput!) {
  bindDevice(input: $input) { deviceBinding { id status } errors { code message } } }`;

export interface Attempt {
  registrationId: string;
  vmn: string;
  smsContent: string;
  merchantCustomerId: string;
  deviceId: string;
  ssid: string;
}

/** requestSmsToken for a new customer on a new device: the attempt limit counts per device. */
export async function issueToken(baseUrl: string, tenant: Tenant): Promise<Attempt> {
  const id = randomUUID();
  const input = {
    merchantCustomerId: `cust-${id}`,
    deviceId: `device-${id}`,
    os: 'android',
    ssid: `ssid-${id.slice(0, 8)}`,
  };
  const answer = await graphql(baseUrl, tenant, REQUEST_SMS_TOKEN, { input });
  const payload = answer.body?.data?.requestSmsToken;
  if (!payload?.registration) throw new Error(`requestSmsToken: ${JSON.stringify(answer.body)}`);
  return {
    registrationId: payload.registration.id,
    vmn: payload.registration.vmn,
    smsContent: payload.smsContent,
    merchantCustomerId: input.merchantCustomerId,
    deviceId: input.deviceId,
    ssid: input.ssid,
  };
}

export function bindInput(attempt: Attempt) {
  return {
    merchantCustomerId: attempt.merchantCustomerId,
    smsContent: attempt.smsContent,
    deviceId: attempt.deviceId,
    ssid: attempt.ssid,
    manufacturer: 'samsung',
    model: 'Galaxy S23',
    os: 'android',
    osVersion: '14',
    packageName: 'bench.merchant.upi.com',
    mobileNumber: CUSTOMER_MOBILE,
  };
}

/** The SMS from the customer's SIM, then bindDevice; throws unless the binding is made. */
export async function completeBinding(baseUrl: string, tenant: Tenant, attempt: Attempt) {
  const sms = await deliverSms(baseUrl, {
    from: CUSTOMER_MOBILE,
    to: attempt.vmn,
    content: attempt.smsContent,
  });
  if (sms.status !== 200) throw new Error(`inbound SMS: ${sms.status} ${JSON.stringify(sms.body)}`);
  const bound = await graphql(baseUrl, tenant, BIND_DEVICE, { input: bindInput(attempt) });
  const binding = bound.body?.data?.bindDevice?.deviceBinding;
  if (!binding) throw new Error(`bindDevice: ${JSON.stringify(bound.body)}`);
  return binding as { id: string; status: string };
}
