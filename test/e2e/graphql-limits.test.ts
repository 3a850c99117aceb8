import { type TenantCredentials } from '../../src/services/tenant-service';
import { graphql } from '../support/clients';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let production: TestServer;
let tenant: TenantCredentials;
let prodTenant: TenantCredentials;

beforeAll(async () => {
  [server, production] = await Promise.all([
    startTestServer(),
    startTestServer({ NODE_ENV: 'production' }),
  ]);
  [tenant, prodTenant] = await Promise.all([server.newTenant(), production.newTenant()]);
});
afterAll(() => Promise.all([server.close(), production.close()]));

const nested = (depth: number): string => (depth === 0 ? 'leaf' : `level { ${nested(depth - 1)} }`);
const refused = (response: { errors?: { message: string }[] }, pattern: RegExp) =>
  expect(response.errors?.map((e) => e.message).join(' ')).toMatch(pattern);

describe('GraphQL limits', () => {
  it('marks every answer, data or error, as not to be stored by any cache', async () => {
    const ask = (query: string) =>
      fetch(`${production.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': prodTenant.apiKey,
          'x-api-token': prodTenant.apiToken,
        },
        body: JSON.stringify({ query }),
      });
    for (const query of [
      '{ registration(id: "00000000-0000-4000-8000-000000000000") { id } }',
      '{ nothing }',
    ]) {
      expect((await ask(query)).headers.get('cache-control')).toBe('no-store');
    }
  });

  it('refuses a query deeper than the limit', async () => {
    const response = await graphql(
      server.url,
      `{ registration(id: "x") { ${nested(12)} } }`,
      {},
      tenant,
    );
    expect(response.status).toBe(400);
    refused(response, /depth/i);
  });

  it('refuses more aliases than the limit', async () => {
    const aliases = Array.from(
      { length: 20 },
      (_, i) => `a${i}: registration(id: "x") { id }`,
    ).join(' ');
    const response = await graphql(server.url, `{ ${aliases} }`, {}, tenant);
    expect(response.status).toBe(400);
    refused(response, /alias/i);
  });

  it('refuses a document with too many tokens', async () => {
    const fields = Array.from({ length: 6000 }, () => 'id').join(' ');
    const response = await graphql(
      server.url,
      `{ registration(id: "x") { ${fields} } }`,
      {},
      tenant,
    );
    expect(response.status).toBe(400);
    refused(response, /token/i);
  });

  it('refuses batched HTTP requests', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': tenant.apiKey,
        'x-api-token': tenant.apiToken,
      },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBe(400);
  });

  it('refuses a GraphQL body over its size limit with 413', async () => {
    const response = await graphql(
      server.url,
      `
        {
          __typename
        }
      `,
      { padding: 'x'.repeat(300 * 1024) },
      tenant,
    );
    expect(response.status).toBe(413);
  });

  it('in production, answers no introspection and no field suggestions', async () => {
    const introspection = await graphql(
      production.url,
      '{ __schema { queryType { name } } }',
      {},
      prodTenant,
    );
    expect(introspection.status).toBe(400);
    refused(introspection, /introspection/i);
    const typo = await graphql(production.url, '{ registratio(id: "x") { id } }', {}, prodTenant);
    expect(typo.errors?.[0].message).not.toMatch(/Did you mean/);
    const devTypo = await graphql(server.url, '{ registratio(id: "x") { id } }', {}, tenant);
    expect(devTypo.errors?.[0].message).toMatch(/Did you mean/);
  });

  it('answers the contract operations used by the suites under these limits', async () => {
    const response = await graphql(
      server.url,
      `
        query ($id: ID!) {
          customer(merchantCustomerId: $id) {
            merchantCustomerId
            devices {
              id
              fingerprint
              status
            }
            registrations(last: 10) {
              id
              status
              history {
                status
                reason
                at
              }
              deviceBinding {
                id
                fingerprint
              }
            }
          }
        }
      `,
      { id: 'nobody' },
      tenant,
    );
    expect(response).toEqual({ status: 200, data: { customer: null }, errors: undefined });
  });
});
