import { randomUUID } from 'node:crypto';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { type ProfileSubgraph, startProfileSubgraph } from '../fixtures/profile-subgraph';
import {
  CustomerWithProfileDocument,
  RegistrationDocument,
  RequestSmsTokenDocument,
} from '../generated/graphql';
import { boundDevice } from '../support/flows';
import { startTestServer, type TestServer } from '../support/server';
import { composeSupergraph, type Gateway, startGateway } from './supergraph';
import { credentialsOf, send } from './typed-http';

let profile: ProfileSubgraph;

beforeAll(async () => {
  profile = await startProfileSubgraph();
});

afterAll(async () => {
  await profile?.close();
});

/** A customer Bindery does not know yet, with a profile in the profile subgraph. */
function newCustomer() {
  const merchantCustomerId = `cust-${randomUUID()}`;
  const known = {
    merchantCustomerId,
    name: 'Asha Rao',
    email: `${merchantCustomerId}@example.com`,
  };
  profile.profiles.set(merchantCustomerId, known);
  return known;
}

const tokenRequest = (merchantCustomerId: string) => ({
  input: { merchantCustomerId, deviceId: `device-${randomUUID()}`, os: 'android' },
});

async function gatewayInFrontOf(bindery: TestServer, binderyRouterSecret?: string) {
  const urls = { bindery: `${bindery.url}/graphql`, profile: profile.url };
  return startGateway(composeSupergraph(urls).supergraphSdl, { binderyRouterSecret });
}

describe('Bindery served through a gateway', () => {
  let bindery: TestServer;
  let gateway: Gateway;
  let tenant: TenantCredentials;

  beforeAll(async () => {
    bindery = await startTestServer();
    gateway = await gatewayInFrontOf(bindery);
    tenant = await bindery.newTenant();
  });

  afterAll(async () => {
    await gateway?.close();
    await bindery?.close();
  });

  it("answers one query with the profile subgraph's name and email and Bindery's devices", async () => {
    const customer = newCustomer();
    const { binding } = await boundDevice(bindery.url, tenant, customer.merchantCustomerId);

    const answer = await send(
      gateway.endpoint,
      CustomerWithProfileDocument,
      { merchantCustomerId: customer.merchantCustomerId },
      credentialsOf(tenant),
    );

    expect(answer.errors).toBeUndefined();
    expect(answer.data?.customer).toEqual({
      ...customer,
      devices: [{ fingerprint: binding.fingerprint, status: 'ACTIVE' }],
      registrations: [{ status: 'BOUND' }],
    });
  });

  it('issues an SMS token through the gateway for the tenant whose credentials the caller sent', async () => {
    const customer = newCustomer();

    const issued = await send(
      gateway.endpoint,
      RequestSmsTokenDocument,
      tokenRequest(customer.merchantCustomerId),
      credentialsOf(tenant),
    );

    expect(issued.errors).toBeUndefined();
    const { registration, smsContent, errors } = issued.data!.requestSmsToken;
    expect(errors).toEqual([]);
    expect(smsContent).toMatch(/^UPIACT \S{28,}$/);
    const direct = await send(
      `${bindery.url}/graphql`,
      RegistrationDocument,
      { id: registration!.id },
      credentialsOf(tenant),
    );
    expect(direct.data?.registration).toEqual({ id: registration!.id, status: 'PENDING_SMS' });
  });

  it("shows another tenant's customer to nobody else, because each caller's own credentials reach Bindery", async () => {
    const customer = newCustomer();
    await boundDevice(bindery.url, tenant, customer.merchantCustomerId);
    const stranger = await bindery.newTenant();

    const answer = await send(
      gateway.endpoint,
      CustomerWithProfileDocument,
      { merchantCustomerId: customer.merchantCustomerId },
      credentialsOf(stranger),
    );

    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ customer: null });
  });

  it('answers UNAUTHENTICATED to a caller that sends no credentials, for queries and mutations', async () => {
    const customer = newCustomer();
    const query = await send(gateway.endpoint, CustomerWithProfileDocument, {
      merchantCustomerId: customer.merchantCustomerId,
    });
    const mutation = await send(
      gateway.endpoint,
      RequestSmsTokenDocument,
      tokenRequest(customer.merchantCustomerId),
    );

    expect(query.data).toEqual({ customer: null });
    expect(mutation.data ?? null).toBeNull();
    for (const answer of [query, mutation]) {
      expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    }
  });
});

describe('a Bindery that only answers the router', () => {
  const ROUTER_SECRET = 's3cret';
  let bindery: TestServer;
  let gateway: Gateway;
  let tenant: TenantCredentials;

  beforeAll(async () => {
    bindery = await startTestServer({ ROUTER_SECRET });
    gateway = await gatewayInFrontOf(bindery, ROUTER_SECRET);
    tenant = await bindery.newTenant();
  });

  afterAll(async () => {
    await gateway?.close();
    await bindery?.close();
  });

  it('serves the gateway that presents the router secret, mutations and joins included', async () => {
    const customer = newCustomer();
    const issued = await send(
      gateway.endpoint,
      RequestSmsTokenDocument,
      tokenRequest(customer.merchantCustomerId),
      credentialsOf(tenant),
    );
    expect(issued.data?.requestSmsToken.errors).toEqual([]);

    const answer = await send(
      gateway.endpoint,
      CustomerWithProfileDocument,
      { merchantCustomerId: customer.merchantCustomerId },
      credentialsOf(tenant),
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.customer).toEqual({
      ...customer,
      devices: [],
      registrations: [{ status: 'PENDING_SMS' }],
    });
  });

  it('refuses a direct call without the router secret with 401, even with valid credentials', async () => {
    const direct = await send(
      `${bindery.url}/graphql`,
      RequestSmsTokenDocument,
      tokenRequest(newCustomer().merchantCustomerId),
      credentialsOf(tenant),
    );

    expect(direct.status).toBe(401);
    expect(direct.data ?? null).toBeNull();
  });

  it('gives a gateway with the wrong router secret no data', async () => {
    const impostor = await gatewayInFrontOf(bindery, 'not-the-secret');
    try {
      const answer = await send(
        impostor.endpoint,
        RequestSmsTokenDocument,
        tokenRequest(newCustomer().merchantCustomerId),
        credentialsOf(tenant),
      );
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({
            code: 'UNAUTHENTICATED',
            response: expect.objectContaining({
              status: 401,
              body: {
                errors: [
                  expect.objectContaining({
                    message: expect.stringMatching(/router-authorization/),
                  }),
                ],
              },
            }),
          }),
        }),
      ]);
    } finally {
      await impostor.close();
    }
  });
});
