import { createHmac, randomUUID } from 'node:crypto';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { VMN_NUMBER, VMN_SECRET } from './server';

export interface GraphqlResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** POSTs one GraphQL operation with the tenant's API key and token, as a server-to-server caller does. */
export async function graphql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  tenant?: Pick<TenantCredentials, 'apiKey' | 'apiToken'>,
): Promise<GraphqlResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (tenant) {
    headers['x-api-key'] = tenant.apiKey;
    headers['x-api-token'] = tenant.apiToken;
  }
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: GraphqlResponse['errors'] };
  return { status: response.status, data: body.data ?? undefined, errors: body.errors };
}

export interface SmsDelivery {
  from: string;
  content: string;
  to?: string;
  messageId?: string;
  receivedAt?: string;
}

/** Plays the VMN aggregator: a signed report of an SMS that reached the virtual number. */
export async function deliverSms(
  url: string,
  sms: SmsDelivery,
  options: { secret?: string; timestamp?: number; rawBody?: string } = {},
): Promise<{ status: number; body: any }> {
  const rawBody =
    options.rawBody ??
    JSON.stringify({
      messageId: sms.messageId ?? randomUUID(),
      from: sms.from,
      to: sms.to ?? VMN_NUMBER,
      content: sms.content,
      receivedAt: sms.receivedAt ?? new Date().toISOString(),
    });
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', options.secret ?? VMN_SECRET)
    .update(`${timestamp}.${rawBody}`)
    .digest('hex');
  const response = await fetch(`${url}/v1/vmn/inbound-sms`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-timestamp': timestamp,
      'x-signature': signature,
    },
    body: rawBody,
  });
  return { status: response.status, body: await response.json() };
}
