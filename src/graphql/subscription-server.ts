import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server } from 'node:http';
import { type DocumentNode, GraphQLError, type GraphQLSchema } from 'graphql';
import { type Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Admission } from '../security/rate-limit';
import { isRouterSecret } from '../security/router-gate';
import { type Caller, type Services } from '../services';
import { createGraphqlContext } from './context';
import { rateLimited } from './rate-limited';

export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
const KEEP_ALIVE_MS = 12_000;

export interface SubscriptionServerOptions {
  server: Server;
  schema: GraphQLSchema;
  services: Services;
  /** The same credentials HTTP takes, read from connectionParams. */
  authenticate(apiKey: string | undefined, apiToken: string | undefined): Promise<Caller | null>;
  /** The tenant's rate limit, taken once per connection and once per operation. */
  admit(caller: Caller): Promise<Admission>;
  maxPerInstance: number;
  /** The same validation rules HTTP applies, query limits included. */
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
  /** When set, only upgrades carrying it in `router-authorization` connect, as over HTTP. */
  routerSecret?: string;
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

const upgradeOf = (ctx: Context) => (ctx.extra as { request?: IncomingMessage }).request;
const socketOf = (ctx: Context) => (ctx.extra as { socket?: WebSocket }).socket;

/**
 * A credential from connectionParams (direct clients), else from the upgrade request's headers:
 * a router propagates headers to the handshake but puts no tenant credentials in connectionParams.
 */
function credentialOf(ctx: Context, name: string): string | undefined {
  const header = upgradeOf(ctx)?.headers[name];
  return (
    credential(ctx.connectionParams as Params, name) ??
    (typeof header === 'string' ? header : undefined)
  );
}

/** The upgrade request's valid `x-request-id` (as HTTP's genReqId takes it), else a new one. */
function connectionIdOf(ctx: Context): string {
  const given = upgradeOf(ctx)?.headers['x-request-id'];
  return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
}

const refusal = (message: string, code: string) => [
  new GraphQLError(message, { extensions: { code } }),
];

/**
 * graphql-ws on the HTTP server's port and path. Credentials are checked once at connection_init
 * (bad or missing: close 4403; over the tenant's rate limit: close 1013); each operation counts
 * against the tenant's rate limit too; each connection holds at most 100 subscriptions and the instance
 * a configured total, each refused with a clear error; pings keep idle connections alive.
 */
export function startSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const wss = new WebSocketServer({ server: options.server, path: '/graphql' });
  const callers = new WeakMap<Context, Caller>();
  const live = new Set<Context>();
  const fromRouter = options.routerSecret ? isRouterSecret(options.routerSecret) : () => true;
  // Every line about one socket carries its connectionId, every line about one operation its id too.
  const socketLogs = new WeakMap<Context, Logger>();
  const logOf = (ctx: Context): Logger => {
    let log = socketLogs.get(ctx);
    if (!log) socketLogs.set(ctx, (log = options.log.child({ connectionId: connectionIdOf(ctx) })));
    return log;
  };
  const subscriptionCount = () =>
    [...live].reduce((sum, ctx) => sum + Object.keys(ctx.subscriptions).length, 0);

  const disposable = useServer(
    {
      schema: options.schema,
      validate: options.validate,
      onConnect: async (ctx) => {
        if (!fromRouter(upgradeOf(ctx)?.headers['router-authorization'])) {
          logOf(ctx).info('websocket refused: missing or wrong router-authorization');
          return false;
        }
        const caller = await options.authenticate(
          credentialOf(ctx, 'x-api-key'),
          credentialOf(ctx, 'x-api-token'),
        );
        if (!caller) {
          logOf(ctx).info('websocket refused: missing or wrong credentials');
          return false;
        }
        const admission = await options.admit(caller);
        if (!admission.allowed) {
          logOf(ctx).info({ tenantId: caller.tenantId }, 'websocket refused: rate limited');
          // 1013 is WebSocket's "try again later"; returning false alone would say Forbidden.
          socketOf(ctx)?.close(
            1013,
            `Too many requests; retry in ${admission.retryAfterSeconds} s`,
          );
          return false;
        }
        callers.set(ctx, caller);
        live.add(ctx);
        logOf(ctx).info({ tenantId: caller.tenantId }, 'websocket connected');
        return true;
      },
      onDisconnect: (ctx) => void live.delete(ctx),
      onClose: (ctx, code) => {
        live.delete(ctx);
        logOf(ctx).info({ code }, 'websocket closed');
      },
      onSubscribe: async (ctx, id, payload) => {
        logOf(ctx).info(
          { operationId: id, operation: payload.operationName ?? undefined },
          'subscription started',
        );
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
        const caller = callers.get(ctx);
        const admission = caller ? await options.admit(caller) : null;
        if (admission && !admission.allowed) {
          return [rateLimited(admission.retryAfterSeconds, 'websocket')];
        }
        return undefined;
      },
      onComplete: (ctx, id) => logOf(ctx).info({ operationId: id }, 'subscription completed'),
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
      // A peer that never answers the close handshake would hold dispose() for 30 s.
      const deadline = setTimeout(() => wss.clients.forEach((client) => client.terminate()), 1000);
      try {
        await disposable.dispose();
      } finally {
        clearTimeout(deadline);
      }
      for (const client of wss.clients) client.terminate();
    },
  };
}
