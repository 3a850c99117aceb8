import { type GraphQLObjectType, parse } from 'graphql';
import { composeSupergraph } from './supergraph';

describe('composing Bindery into a supergraph', () => {
  it('composes with a subgraph that owns the customer profile, and Customer carries both', () => {
    const { supergraphSdl, apiSchema } = composeSupergraph();

    const customer = apiSchema.getType('Customer') as GraphQLObjectType;
    expect(Object.keys(customer.getFields()).sort()).toEqual([
      'devices',
      'email',
      'merchantCustomerId',
      'name',
      'registrations',
    ]);
    expect(supergraphSdl).toContain('@join__type(graph: BINDERY, key: "merchantCustomerId")');
    expect(supergraphSdl).toContain('@join__type(graph: PROFILE, key: "merchantCustomerId")');
  });

  it("keeps Bindery's root fields, mutations and subscriptions in the supergraph's API", () => {
    const { apiSchema } = composeSupergraph();

    expect(Object.keys(apiSchema.getQueryType()!.getFields())).toEqual(
      expect.arrayContaining(['registration', 'customer', 'consentTransaction']),
    );
    expect(Object.keys(apiSchema.getMutationType()!.getFields())).toContain('requestSmsToken');
    expect(Object.keys(apiSchema.getSubscriptionType()!.getFields()).sort()).toEqual([
      'consentStatusChanged',
      'registrationStatusChanged',
    ]);
  });

  it('refuses a subgraph that gives a Bindery field of Customer another type', () => {
    const conflicting = parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])
      type Customer @key(fields: "merchantCustomerId") {
        merchantCustomerId: ID!
        devices: String @shareable
      }`);

    expect(() => composeSupergraph(undefined, conflicting)).toThrow(
      /Type of field "Customer.devices" is incompatible/,
    );
  });
});
