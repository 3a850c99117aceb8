import { type TenantCredentials } from '../../src/services/tenant-service';
import { graphql } from '../support/clients';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let tenant: TenantCredentials;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
});
afterAll(() => server.close());

describe('operating a running instance', () => {
  it('is ready once migrated and says so on /readyz', async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', failed: [] });
  });

  it("answers with the caller's x-request-id, or one it made", async () => {
    const given = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-42' } });
    expect(given.headers.get('x-request-id')).toBe('trace-42');
    const made = await fetch(`${server.url}/healthz`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exposes GraphQL operations, routes and registrations on /metrics', async () => {
    await graphql(
      server.url,
      'query WhoIsNobody { customer(merchantCustomerId: "nobody") { merchantCustomerId } }',
      {},
      tenant,
    );
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain(
      'bindery_graphql_operations_total{operation="WhoIsNobody",type="query",outcome="ok"} 1',
    );
    expect(text).toMatch(
      /bindery_http_requests_total\{route="\/graphql",method="POST",status="200"\} \d+/,
    );
    expect(text).toContain('bindery_registrations{status="PENDING_SMS"} 0');
    expect(text).toContain('bindery_outbox_lag_seconds 0');
    expect(text).toContain('bindery_websocket_connections 0');
  });
});
