import { type Server } from 'node:http';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { type Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { type Caller, type Services } from '../services';
import { createGraphqlContext } from './context';

export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
const KEEP_ALIVE_MS = 12_000;

export interface SubscriptionServerOptions {
  server: Server;
  schema: GraphQLSchema;
  services: Services;
  /** The same credentials HTTP takes, read from connectionParams. */
  authenticate(apiKey: string | undefined, apiToken: string | undefined): Promise<Caller | null>;
  maxPerInstance: number;
  log: Logger;
}

export interface SubscriptionServer {
  connections(): number;
  subscriptions(): number;
  close(): Promise<void>;
}

type Params = Record<string, unknown> | undefined;

/** connectionParams as graphql-ws clients send them; header names in any case. */
function credential(params: Params, name: string): string | undefined {
  if (!params) return undefined;
  const entry = Object.entries(params).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === 'string' ? entry[1] : undefined;
}

const refusal = (message: string, code: string) => [
  new GraphQLError(message, { extensions: { code } }),
];

/**
 * graphql-ws on the HTTP server's port and path. Credentials are checked once at connection_init
 * (bad or missing: close 4403); each connection holds at most 100 subscriptions and the instance
 * a configured total, each refused with a clear error; pings keep idle connections alive.
 */
export function startSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const wss = new WebSocketServer({ server: options.server, path: '/graphql' });
  const callers = new WeakMap<Context, Caller>();
  const live = new Set<Context>();
  const subscriptionCount = () =>
    [...live].reduce((sum, ctx) => sum + Object.keys(ctx.subscriptions).length, 0);

  const disposable = useServer(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams as Params;
        const caller = await options.authenticate(
          credential(params, 'x-api-key'),
          credential(params, 'x-api-token'),
        );
        if (!caller) return false;
        callers.set(ctx, caller);
        live.add(ctx);
        return true;
      },
      onDisconnect: (ctx) => void live.delete(ctx),
      onClose: (ctx) => void live.delete(ctx),
      onSubscribe: (ctx) => {
        // The subscription being started is already counted in ctx.subscriptions.
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          return refusal(
            `At most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection`,
            'SUBSCRIPTION_LIMIT',
          );
        }
        if (subscriptionCount() > options.maxPerInstance) {
          return refusal(
            'This instance serves no more subscriptions now; retry on another',
            'SUBSCRIPTION_LIMIT',
          );
        }
        return undefined;
      },
      context: (ctx) => createGraphqlContext(options.services, callers.get(ctx) ?? null),
    },
    wss,
    KEEP_ALIVE_MS,
  );
  wss.on('error', (error) => options.log.error({ err: error }, 'websocket server error'));

  return {
    connections: () => live.size,
    subscriptions: subscriptionCount,
    /** Closes every socket with 1001 (going away), then drops any peer that does not answer. */
    async close() {
      await disposable.dispose();
      for (const client of wss.clients) client.terminate();
    },
  };
}
