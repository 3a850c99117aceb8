import { createServer, type Server } from 'node:http';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from '../support/clients';
import { bindInput, CUSTOMER_MOBILE, issueToken } from '../support/flows';
import { BIND_DEVICE } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';
import { waitFor } from '../support/wait';
import { REGISTRATION_CHANGED } from '../support/ws';

interface CallbackMessage {
  kind: string;
  action: 'check' | 'next' | 'complete' | 'heartbeat';
  id: string;
  verifier: string;
  payload?: { data?: { registrationStatusChanged?: { status: string } } };
}

let server: TestServer;
let tenant: TenantCredentials;
let router: Server;
let routerUrl: string;
const received: CallbackMessage[] = [];

/** Plays Apollo Router's callback endpoint: accepts the check, records what the subgraph sends. */
beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
  router = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(JSON.parse(body) as CallbackMessage);
      response.writeHead(204, { 'subscription-protocol': 'callback/1.0' }).end();
    });
  });
  await new Promise<void>((resolve) => router.listen(0, '127.0.0.1', resolve));
  routerUrl = `http://127.0.0.1:${(router.address() as { port: number }).port}/callback/sub-1`;
});
afterAll(async () => {
  await server.close();
  await new Promise((resolve) => router.close(resolve));
});

describe('Apollo Router callback protocol', () => {
  it('streams the registration status to the router callback URL and completes after BOUND', async () => {
    const attempt = await issueToken(server.url, tenant);
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json;callbackSpec=1.0',
        'x-api-key': tenant.apiKey,
        'x-api-token': tenant.apiToken,
      },
      body: JSON.stringify({
        query: REGISTRATION_CHANGED,
        variables: { id: attempt.registrationId },
        extensions: {
          subscription: {
            callbackUrl: routerUrl,
            subscriptionId: 'sub-1',
            verifier: 'v-1',
            heartbeatIntervalMs: 0,
          },
        },
      }),
    });
    expect(response.status).toBe(200);
    const statuses = () =>
      received
        .filter((m) => m.action === 'next')
        .map((m) => m.payload?.data?.registrationStatusChanged?.status);

    await waitFor(
      async () => statuses(),
      (s) => s.length >= 1,
    );
    await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
    await waitFor(
      async () => statuses(),
      (s) => s.length >= 2,
    );
    await graphql(server.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant);
    await waitFor(
      async () => received.map((m) => m.action),
      (actions) => actions.includes('complete'),
    );

    expect(received[0]).toMatchObject({ action: 'check', id: 'sub-1', verifier: 'v-1' });
    expect(statuses()).toEqual(['PENDING_SMS', 'SMS_VERIFIED', 'BOUND']);
    expect(received.at(-1)).toMatchObject({ action: 'complete', id: 'sub-1', verifier: 'v-1' });
  });
});
