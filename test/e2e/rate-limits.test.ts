import { randomUUID } from 'node:crypto';
import { DECLINE_PATH, POLLING_PATH } from '../../src/rest/enstage/routes';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { graphql } from '../support/clients';
import {
  enstageHeaders,
  JUSPAY,
  juspaySend,
  type LegacyResponse,
  postLegacy,
  RAZORPAY,
  razorpayCustomer,
  razorpayPost,
  writes,
} from '../support/legacy';
import { REGISTRATION, REQUEST_SMS_TOKEN } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';
import { basicAuthorization, requestToken, UaePassClient } from '../support/uaepass';
import { wsClient } from '../support/ws';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const ALLOWANCE = 4;
const WINDOW_SECONDS = 60;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    RATE_LIMIT_REQUESTS: String(ALLOWANCE),
    RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
  });
});
afterAll(() => server.close());

const readRegistration = (tenant: TenantCredentials) =>
  fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': tenant.apiKey,
      'x-api-token': tenant.apiToken,
    },
    body: JSON.stringify({ query: REGISTRATION, variables: { id: randomUUID() } }),
  });

/** Uses up the tenant's allowance with reads that succeed. */
async function spend(tenant: TenantCredentials, requests = ALLOWANCE): Promise<void> {
  for (let i = 0; i < requests; i++) {
    const answer = await graphql(server.url, REGISTRATION, { id: randomUUID() }, tenant);
    expect({ status: answer.status, errors: answer.errors }).toEqual({
      status: 200,
      errors: undefined,
    });
  }
}

function expectRetryAfter(headers: Headers): void {
  const seconds = Number(headers.get('retry-after'));
  expect(Number.isInteger(seconds)).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(WINDOW_SECONDS);
}

function expectRefused(answer: LegacyResponse, body: unknown): void {
  expect({ status: answer.status, body: answer.body }).toEqual({ status: 429, body });
  expectRetryAfter(answer.headers);
}

const tooMany = expect.stringMatching(/^Too many requests/);

describe('per-tenant rate limits', () => {
  it('GraphQL over HTTP: the request past the allowance gets 429, Retry-After and RATE_LIMITED, and other tenants carry on', async () => {
    const [busy, quiet] = [await server.newTenant(), await server.newTenant()];
    await spend(busy);

    const refused = await readRegistration(busy);
    expect(refused.status).toBe(429);
    expectRetryAfter(refused.headers);
    const body = (await refused.json()) as Record<string, any>;
    expect(body).toEqual({
      errors: [
        {
          message: tooMany,
          extensions: {
            code: 'RATE_LIMITED',
            retryAfterSeconds: Number(refused.headers.get('retry-after')),
          },
        },
      ],
    });

    expect((await readRegistration(quiet)).status).toBe(200);
  });

  it('a refused mutation writes nothing', async () => {
    const tenant = await server.newTenant();
    await spend(tenant);
    const before = await writes(server);
    const refused = await graphql(
      server.url,
      REQUEST_SMS_TOKEN,
      {
        input: {
          merchantCustomerId: `cust-${randomUUID()}`,
          deviceId: `device-${randomUUID()}`,
          os: 'android',
          ssid: 'ssid-1',
        },
      },
      tenant,
    );
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(await writes(server)).toEqual(before);
  });

  it('a caller without credentials is not counted against anyone and is told to authenticate', async () => {
    const tenant = await server.newTenant();
    for (let i = 0; i < ALLOWANCE + 2; i++) {
      const answer = await graphql(server.url, REGISTRATION, { id: randomUUID() });
      expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    await spend(tenant);
  });

  it('Enstage polling and decline draw on the same allowance and refuse in their own shapes', async () => {
    const tenant = await server.newTenant();
    await spend(tenant);
    const headers = enstageHeaders(tenant);
    expectRefused(await postLegacy(server.url, POLLING_PATH, headers, '{}'), {
      status: 'FAILURE',
      resCode: '429',
      resDesc: tooMany,
    });
    expectRefused(await postLegacy(server.url, DECLINE_PATH, headers, '{}'), {
      status: 'FAILURE',
      responseCode: 'TOO_MANY_REQUESTS',
      responseMessage: tooMany,
      udfParameters: expect.anything(),
    });
  });

  it('Razorpay refuses as a Razorpay error with reason too_many_requests', async () => {
    const tenant = await server.newTenant();
    await spend(tenant);
    const customer = razorpayCustomer();
    expectRefused(await razorpayPost(server, tenant, RAZORPAY.verification, customer, {}), {
      error: {
        code: 'BAD_REQUEST_ERROR',
        description: tooMany,
        field: null,
        reason: 'too_many_requests',
      },
    });
  });

  it('Juspay refuses signed requests in its envelope', async () => {
    const tenant = await server.newTenant();
    await spend(tenant);
    expectRefused(await juspaySend(server, tenant, JUSPAY.getSmsToken, {}), {
      status: 'FAILURE',
      responseCode: 'TOO_MANY_REQUESTS',
      responseMessage: tooMany,
      udfParameters: expect.anything(),
    });
  });

  it('UAE PASS: the token endpoint answers an OAuth error and consent calls the {code, desc} envelope', async () => {
    const tenant = await server.newTenant();
    const client = await UaePassClient.connect(server.url, tenant, server.clock.now);
    await spend(tenant, ALLOWANCE - 1);

    const send = await client.send({ spTransactionID: randomUUID() });
    expect(send.status).toBe(429);
    expectRetryAfter(send.headers);
    expect(send.body).toEqual({
      code: '429',
      desc: {
        en: expect.stringMatching(/^Too many requests; retry in \d+ seconds\.$/),
        ar: expect.any(String),
      },
    });

    const token = await requestToken(server.url, {
      authorization: basicAuthorization(tenant.spId, tenant.clientSecret),
    });
    expect(token.status).toBe(429);
    expectRetryAfter(token.headers);
    expect(token.body).toEqual({
      error: 'too_many_requests',
      error_description: 'Too many requests for this client',
    });
  });

  it('WebSocket: connection_init and each operation count; past the allowance the operation gets RATE_LIMITED and a new connection closes 1013', async () => {
    const tenant = await server.newTenant();
    // Not lazy: one connection for every operation, as a long-lived subscriber holds.
    const client = createClient({
      url: server.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { 'x-api-key': tenant.apiKey, 'x-api-token': tenant.apiToken },
      lazy: false,
      retryAttempts: 0,
    });
    const run = () =>
      new Promise<{ data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] }>(
        (resolve, reject) => {
          let result: { data?: unknown } = {};
          const timer = setTimeout(() => reject(new Error('no answer over WebSocket')), 5000);
          client.subscribe(
            { query: '{ __typename }' },
            {
              next: (value) => void (result = value),
              error: (errors) => {
                clearTimeout(timer);
                resolve({ errors: errors as never });
              },
              complete: () => {
                clearTimeout(timer);
                resolve(result);
              },
            },
          );
        },
      );
    try {
      // The connection took one request of the allowance.
      for (let i = 0; i < ALLOWANCE - 1; i++) {
        expect(await run()).toEqual({ data: { __typename: 'Query' } });
      }
      const refused = await run();
      expect(refused.errors?.[0]?.extensions).toEqual({
        code: 'RATE_LIMITED',
        retryAfterSeconds: expect.any(Number),
      });
    } finally {
      await client.dispose();
    }

    const closed = new Promise<number>((resolve) => {
      const late = wsClient(server.url, tenant, resolve);
      late.subscribe(
        { query: '{ __typename }' },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
    });
    expect(await closed).toBe(1013);
  });
});
