import { randomUUID } from 'node:crypto';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { RegistrationDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../support/server';
import { credentialsOf, send } from './typed-http';

let bindery: TestServer;
let tenant: TenantCredentials;

beforeAll(async () => {
  bindery = await startTestServer();
  tenant = await bindery.newTenant();
});

afterAll(async () => {
  await bindery?.close();
});

const lookUp = (headers: Record<string, string>) =>
  send(
    `${bindery.url}/graphql`,
    RegistrationDocument,
    { id: randomUUID() },
    {
      ...credentialsOf(tenant),
      ...headers,
    },
  );

describe('federated tracing', () => {
  it('returns an ftv1 trace of the resolvers that ran when the router asks for one', async () => {
    const answer = await lookUp({ 'apollo-federation-include-trace': 'ftv1' });

    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ registration: null });
    const ftv1 = answer.extensions?.ftv1;
    expect(ftv1).toEqual(expect.stringMatching(/^[A-Za-z0-9+/]+=*$/));
    // The trace is a protobuf message; field names sit in it as plain UTF-8.
    expect(Buffer.from(ftv1 as string, 'base64').toString('latin1')).toContain('registration');
  });

  it('adds no trace to the answers of callers that do not ask for one', async () => {
    const answer = await lookUp({});

    expect(answer.data).toEqual({ registration: null });
    expect(answer.extensions?.ftv1).toBeUndefined();
  });
});
