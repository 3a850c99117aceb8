import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { type GraphQLSchema, parse } from 'graphql';
import { buildSchema, createResolversMap } from 'type-graphql';
import { guardRootFields } from './auth';
import { guardEntities } from './entities-guard';
import { type GraphqlContext } from './context';
import { noTopicPubSub } from './pubsub';
import { ConsentResolver } from './resolvers/consent.resolver';
import { CustomerResolver } from './resolvers/customer.resolver';
import { DeviceBindingResolver } from './resolvers/device-binding.resolver';
import { RegistrationResolver } from './resolvers/registration.resolver';
import { SubscriptionResolver } from './resolvers/subscription.resolver';
import { resolveConsentTransactionReference } from './types/consent-transaction.reference';
import { resolveCustomerReference } from './types/customer.reference';
import { resolveDeviceBindingReference } from './types/device-binding.reference';
import { resolveRegistrationReference } from './types/registration.reference';

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", ' +
  'import: ["@key", "@shareable", "@tag", "@inaccessible"])';

type ReferenceResolver = (reference: never, context: GraphqlContext) => Promise<unknown>;
type ResolverMap = Record<string, Record<string, unknown>>;

/** Federation entry points, one per entity (each in its `*.reference.ts`). */
const REFERENCE_RESOLVERS: Record<string, ReferenceResolver> = {
  Registration: resolveRegistrationReference,
  DeviceBinding: resolveDeviceBindingReference,
  Customer: resolveCustomerReference,
  ConsentTransaction: resolveConsentTransactionReference,
};

interface Built {
  sdl: string;
  schema: GraphQLSchema;
}

let built: Promise<Built> | null = null;

async function build(): Promise<Built> {
  const typeGraphqlSchema = await buildSchema({
    resolvers: [
      RegistrationResolver,
      DeviceBindingResolver,
      CustomerResolver,
      ConsentResolver,
      SubscriptionResolver,
    ],
    pubSub: noTopicPubSub,
    // Services validate every input and answer INVALID_INPUT in the payload.
    validate: false,
  });
  const sdl = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(typeGraphqlSchema)}\n`;
  const resolvers = createResolversMap(typeGraphqlSchema) as ResolverMap;
  for (const [typeName, resolveReference] of Object.entries(REFERENCE_RESOLVERS)) {
    resolvers[typeName] = { ...resolvers[typeName], __resolveReference: resolveReference };
  }
  // @apollo/subgraph does not export its resolver-map type; the shapes match at run time.
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never });
  return { sdl, schema: guardRootFields(guardEntities(schema)) };
}

function cached(): Promise<Built> {
  // Building walks type-graphql's global metadata and costs tens of milliseconds: once per process.
  built ??= build().catch((error: unknown) => {
    built = null;
    throw error;
  });
  return built;
}

/** The executable subgraph schema: federation fields included, every root field credential-checked. */
export async function buildBinderySchema(): Promise<GraphQLSchema> {
  return (await cached()).schema;
}

/** The SDL handed to buildSubgraphSchema, as committed in schema/subgraph.graphql. */
export async function printBinderySdl(): Promise<string> {
  return (await cached()).sdl;
}
