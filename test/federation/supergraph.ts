import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { type DocumentNode, type GraphQLSchema, parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { PROFILE_TYPE_DEFS } from '../fixtures/profile-subgraph';

/** The SDL Bindery emits and CI keeps in sync with the code: what a supergraph is composed of. */
export const BINDERY_TYPE_DEFS: DocumentNode = parse(
  readFileSync(join(__dirname, '../../schema/subgraph.graphql'), 'utf8'),
);

export interface SubgraphUrls {
  bindery: string;
  profile: string;
}

export interface Supergraph {
  /** What a gateway or router is started with. */
  supergraphSdl: string;
  /** The schema clients of the gateway see. */
  apiSchema: GraphQLSchema;
}

// Composition reads only the SDL; a supergraph composed for a check is never served.
const NOWHERE: SubgraphUrls = { bindery: 'http://bindery/graphql', profile: 'http://profile/' };

/**
 * Composes Bindery with the profile subgraph, as `rover supergraph compose` would, and throws
 * with every composition error: a supergraph that does not compose must never be served.
 */
export function composeSupergraph(
  urls: SubgraphUrls = NOWHERE,
  profileTypeDefs: DocumentNode = PROFILE_TYPE_DEFS,
): Supergraph {
  const result = composeServices([
    { name: 'bindery', url: urls.bindery, typeDefs: BINDERY_TYPE_DEFS },
    { name: 'profile', url: urls.profile, typeDefs: profileTypeDefs },
  ]);
  if (result.errors) {
    const messages = result.errors.map((error) => error.message).join('\n');
    throw new Error(`composition failed:\n${messages}`);
  }
  return {
    supergraphSdl: result.supergraphSdl,
    apiSchema: result.schema.toAPISchema().toGraphQLJSSchema(),
  };
}

/** What the gateway keeps of the incoming request: the caller's Bindery credentials. */
interface GatewayContext {
  apiKey?: string;
  apiToken?: string;
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

export interface Gateway {
  /** The gateway's GraphQL endpoint. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Serves a supergraph with @apollo/gateway. Only Bindery receives the caller's credentials and
 * the router secret: each subgraph gets the headers meant for it, as a router's per-subgraph
 * header rules would arrange.
 */
export async function startGateway(
  supergraphSdl: string,
  options: { binderyRouterSecret?: string } = {},
): Promise<Gateway> {
  // Otherwise every gateway probes cloud metadata endpoints and exports usage metrics to Apollo:
  // network traffic a test run must not make (Rover and the Router honour the same variable).
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url,
        willSendRequest({ request, context }) {
          if (name !== 'bindery' || !request.http) return;
          const { apiKey, apiToken } = context as GatewayContext;
          if (apiKey) request.http.headers.set('x-api-key', apiKey);
          if (apiToken) request.http.headers.set('x-api-token', apiToken);
          if (options.binderyRouterSecret) {
            request.http.headers.set('router-authorization', options.binderyRouterSecret);
          }
        },
      }),
  });
  const server = new ApolloServer<GatewayContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => ({
      apiKey: single(req.headers, 'x-api-key'),
      apiToken: single(req.headers, 'x-api-token'),
    }),
  });
  return { endpoint: new URL('/graphql', url).toString(), close: () => server.stop() };
}
