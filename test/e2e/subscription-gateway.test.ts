import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { callerOf } from '../../src/services';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { startTestServer, type TestServer } from '../support/server';
import { REGISTRATION_CHANGED, subscribe } from '../support/ws';

const ROUTER_SECRET = 'secret-only-the-router-knows';
let server: TestServer;
let tenant: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer({ ROUTER_SECRET });
  tenant = await server.newTenant();
});
afterAll(() => server.close());

/** A graphql-ws client whose upgrade request carries these headers, as Apollo Router's does. */
function clientWithUpgradeHeaders(headers: Record<string, string>, params = {}) {
  let closedWith: number | undefined;
  const client = createClient({
    url: `${server.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols: string | string[]) {
        super(url, protocols, { headers });
      }
    },
    connectionParams: params,
    retryAttempts: 0,
    on: { closed: (event) => (closedWith = (event as { code: number }).code) },
  });
  return { client, closedWith: () => closedWith };
}

describe('subscriptions behind a router', () => {
  it('refuses an upgrade without router-authorization with 4403, even with valid credentials', async () => {
    const { client, closedWith } = clientWithUpgradeHeaders(
      {},
      { 'x-api-key': tenant.apiKey, 'x-api-token': tenant.apiToken },
    );
    const feed = subscribe(client, REGISTRATION_CHANGED, { id: 'any' });
    await expect(feed.done).rejects.toBeDefined();
    expect(closedWith()).toBe(4403);
    await feed.close();
  });

  it('takes tenant credentials from the upgrade headers the router propagates', async () => {
    const { client } = clientWithUpgradeHeaders({
      'router-authorization': ROUTER_SECRET,
      'x-api-key': tenant.apiKey,
      'x-api-token': tenant.apiToken,
    });
    // Seed through the service layer: HTTP would need the router secret as well.
    const row = await server.app.tenants.authenticateApiKey(tenant.apiKey, tenant.apiToken);
    const issued = await server.app.services.registrations.requestSmsToken(callerOf(row!), {
      merchantCustomerId: 'c-router',
      deviceId: 'd-router',
      os: 'android',
    });
    if (!issued.ok) throw new Error('issue failed');
    const feed = subscribe(client, REGISTRATION_CHANGED, { id: issued.value.registration.id });
    const [first] = await feed.untilCount(1);
    expect(first.data.registrationStatusChanged.status).toBe('PENDING_SMS');
    await feed.close();
  });
});
