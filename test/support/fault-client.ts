import { createHmac, randomUUID } from 'node:crypto';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { bindInput, CUSTOMER_MOBILE, newCustomerDevice } from './flows';
import { BIND_DEVICE, REQUEST_SMS_TOKEN } from './operations';
import { VMN_NUMBER, VMN_SECRET } from './server';

/** A POST's outcome: status and body (parsed when it is JSON), or why no answer came. */
export type Reply =
  { status: number; body: any; json: boolean } | { failure: string; network: true };

/** A call the suite counts: acknowledged with its payload, or failed (unreachable or refused). */
export type Answer = { ok: true; body: any } | { ok: false; failure: string; network?: boolean };

export const tenantHeaders = (tenant: Pick<TenantCredentials, 'apiKey' | 'apiToken'>) => ({
  'x-api-key': tenant.apiKey,
  'x-api-token': tenant.apiToken,
});

/**
 * HTTP for suites that break the service on purpose: every request has a deadline, and whatever
 * happens is returned as an outcome to count, never thrown, so one cut request ends no client.
 */
export class DeadlineClient {
  constructor(private readonly timeoutMs: number) {}

  async post(url: string, body: string, headers: Record<string, string>): Promise<Reply> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      try {
        return { status: response.status, body: JSON.parse(text), json: true };
      } catch {
        return { status: response.status, body: text.slice(0, 200), json: false };
      }
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return {
        failure: `network ${(error as Error).name}${cause ? ` ${cause}` : ''}`,
        network: true,
      };
    }
  }

  /** A GraphQL mutation's payload when it answered 200 with no errors at any level. */
  async mutate(
    base: string,
    tenant: TenantCredentials,
    query: string,
    field: string,
    input: Record<string, unknown>,
  ): Promise<Answer> {
    const reply = await this.post(
      `${base}/graphql`,
      JSON.stringify({ query, variables: { input } }),
      tenantHeaders(tenant),
    );
    const read = acknowledged(reply);
    if (!read.ok) return read;
    const body = read.body;
    const graphqlError = body.errors?.[0];
    if (graphqlError) {
      // Counted apart: an error answer that hands the caller the failed SQL statement.
      const sql = /\b(select|insert into|update|delete from|commit)\b/i.test(graphqlError.message)
        ? ' (SQL in message)'
        : '';
      return { ok: false, failure: `graphql ${graphqlError.extensions?.code ?? 'error'}${sql}` };
    }
    const payload = body.data?.[field];
    if (!payload) return { ok: false, failure: 'no payload' };
    if (payload.errors?.length > 0) return { ok: false, failure: `user ${payload.errors[0].code}` };
    return { ok: true, body: payload };
  }

  /** Plays the VMN aggregator: a signed report of the customer's SMS carrying `content`. */
  async reportSms(base: string, content: string): Promise<Answer> {
    const body = JSON.stringify({
      messageId: randomUUID(),
      from: CUSTOMER_MOBILE,
      to: VMN_NUMBER,
      content,
      receivedAt: new Date().toISOString(),
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', VMN_SECRET).update(`${timestamp}.${body}`).digest('hex');
    const reply = await this.post(`${base}/v1/vmn/inbound-sms`, body, {
      'x-timestamp': timestamp,
      'x-signature': signature,
    });
    return acknowledged(reply);
  }
}

/** A reply's JSON body when it came with a 200; else why not: unreachable, not JSON, not 200. */
function acknowledged(reply: Reply): Answer {
  if ('failure' in reply) return { ok: false, failure: reply.failure, network: true };
  if (!reply.json) return { ok: false, failure: `http ${reply.status} (not JSON)` };
  if (reply.status !== 200) return { ok: false, failure: `http ${reply.status}` };
  return { ok: true, body: reply.body };
}

export type BindStep = 'requestSmsToken' | 'sms' | 'bindDevice';

export type BindOutcome =
  | { ok: true; merchantCustomerId: string; registrationId: string; binding: any }
  | { ok: false; step: BindStep; failure: string; network: boolean };

/**
 * One new customer's token, SMS from the customer's SIM and bind, stopping at the first step
 * that fails. `onIssued` hears of the registration as soon as its token is acknowledged.
 */
export async function bindNewDevice(
  client: DeadlineClient,
  base: string,
  tenant: TenantCredentials,
  onIssued: (registrationId: string) => void = () => undefined,
): Promise<BindOutcome> {
  const failed = (step: BindStep, answer: Extract<Answer, { ok: false }>): BindOutcome => ({
    ok: false,
    step,
    failure: answer.failure,
    network: !!answer.network,
  });
  const attempt = newCustomerDevice();
  const issued = await client.mutate(base, tenant, REQUEST_SMS_TOKEN, 'requestSmsToken', attempt);
  if (!issued.ok) return failed('requestSmsToken', issued);
  const registrationId: string = issued.body.registration.id;
  onIssued(registrationId);

  const sms = await client.reportSms(base, issued.body.smsContent);
  if (!sms.ok) return failed('sms', sms);

  const input = bindInput({ ...attempt, registrationId, smsContent: issued.body.smsContent });
  const bound = await client.mutate(base, tenant, BIND_DEVICE, 'bindDevice', input);
  if (!bound.ok) return failed('bindDevice', bound);
  return {
    ok: true,
    merchantCustomerId: attempt.merchantCustomerId,
    registrationId,
    binding: bound.body.deviceBinding,
  };
}
