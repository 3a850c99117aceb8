import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginSubscriptionCallback } from '@apollo/server/plugin/subscriptionCallback';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import { randomUUID } from 'node:crypto';
import { type Logger } from 'pino';
import { type Config } from './config';
import { CallbackDispatcher } from './events/callback-dispatcher';
import { ExpirySweeper } from './events/expiry-sweeper';
import { OutboxRelay } from './events/outbox-relay';
import { type EventBus, InProcessEventBus } from './events/pubsub';
import { RedisEventBus } from './events/redis-event-bus';
import { createGraphqlContext, type GraphqlContext } from './graphql/context';
import { hideInternalErrors } from './graphql/internal-errors';
import { graphqlLimits, limitedValidate, MAX_TOKENS } from './graphql/limits';
import { noStorePlugins } from './graphql/no-store';
import { rateLimited } from './graphql/rate-limited';
import { buildBinderySchema } from './graphql/schema';
import { startSubscriptionServer, type SubscriptionServer } from './graphql/subscription-server';
import { registerHealth } from './observability/health';
import { createMetrics, graphqlMetricsPlugin, registerMetrics } from './observability/metrics';
import { echoRequestId } from './observability/request-id';
import { migrate, openOrm, type Orm } from './persistence/orm';
import { restRoutes } from './rest';
import { tenantRateLimiter } from './security/rate-limit';
import { MemoryReplayCache, RedisReplayCache, type ReplayCache } from './security/replay-cache';
import { routerGate } from './security/router-gate';
import { type Caller, callerOf, createServices, type Services } from './services';
import { TenantService } from './services/tenant-service';

export interface App {
  http: FastifyInstance;
  orm: Orm;
  services: Services;
  tenants: TenantService;
  relay: OutboxRelay;
  sweeper: ExpirySweeper;
  callbacks: CallbackDispatcher;
  subscriptions: SubscriptionServer;
  /** Stops taking work, finishes what is in flight, releases every resource. */
  close(): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  clock?: () => Date;
}

const GRAPHQL_BODY_LIMIT = 256 * 1024;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Wires every part together; nothing else builds services, stores or servers. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const clock = options.clock ?? (() => new Date());
  const log = options.logger;
  const orm = await openOrm(config.database, { poolMax: 10 });
  await migrate(orm);

  const events: EventBus = config.redisUrl
    ? await RedisEventBus.connect(config.redisUrl, log.child({ component: 'redis' }))
    : new InProcessEventBus();
  const services = createServices({ orm, config, clock }, events);
  const redis = events instanceof RedisEventBus ? events : undefined;
  const rateLimits = tenantRateLimiter(config.rateLimit, redis?.client);
  const tenants = new TenantService({ orm, secretsKey: config.secretsKey });
  const relay = new OutboxRelay(
    orm,
    events,
    log.child({ component: 'outbox-relay' }),
    config.outboxPollIntervalMs,
  );
  // Subscribers hear a change as soon as it commits; the relay's timer stays as the safety net.
  orm.em.getEventManager().registerSubscriber({
    afterTransactionCommit: (args) => relay.committed(args.em),
  });
  const sweeper = new ExpirySweeper(
    orm,
    clock,
    log.child({ component: 'expiry-sweeper' }),
    config.sweepIntervalMs,
    () => void relay.drain(),
  );
  const callbacks = new CallbackDispatcher(
    { orm, tenants, clock, log: log.child({ component: 'callback-dispatcher' }), events },
    {
      pollIntervalMs: config.callbackPollIntervalMs,
      timeoutMs: config.callbackTimeoutMs,
      privateNetworks: config.callbackPrivateNetworks,
    },
  );

  const http = Fastify({
    // pino's own Logger type is wider than Fastify's view of it.
    loggerInstance: log as unknown as FastifyBaseLogger,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: GRAPHQL_BODY_LIMIT,
    return503OnClosing: true,
  });
  echoRequestId(http);
  // Set before any plugin registers, so every scope inherits it and no 500 shows its cause.
  http.setErrorHandler(
    (error: { statusCode?: number; code?: string; message: string }, request, reply) => {
      const status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
      if (status === 500) request.log.error({ err: error }, 'request failed');
      const message = status === 500 ? 'Internal error' : error.message;
      const code = status === 500 ? 'INTERNAL' : (error.code ?? 'BAD_REQUEST');
      // GraphQL callers read `errors`; everyone else the plain envelope.
      const graphqlCaller = request.url.split('?')[0] === '/graphql';
      void reply
        .code(status)
        .send(
          graphqlCaller
            ? { errors: [{ message, extensions: { code } }] }
            : { status: 'ERROR', error: message, code },
        );
    },
  );
  const metrics = createMetrics();

  const schema = await buildBinderySchema();
  const limits = graphqlLimits(config.env === 'production');
  const apollo = new ApolloServer<GraphqlContext>({
    schema,
    introspection: config.env !== 'production',
    includeStacktraceInErrorResponses: false,
    formatError: hideInternalErrors(log.child({ component: 'graphql' })),
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    logger: log.child({ component: 'apollo' }),
    // Apollo Router's HTTP callback mode for subgraph subscriptions, beside WebSocket passthrough.
    validationRules: limits.validationRules,
    parseOptions: { maxTokens: MAX_TOKENS },
    plugins: [
      ...limits.plugins,
      ...noStorePlugins<GraphqlContext>(),
      fastifyApolloDrainPlugin(http),
      graphqlMetricsPlugin<GraphqlContext>(metrics),
      ApolloServerPluginSubscriptionCallback(),
    ],
  });
  await apollo.start();

  const authenticate = async (
    apiKey: string | undefined,
    apiToken: string | undefined,
  ): Promise<Caller | null> => {
    if (!apiKey || !apiToken) return null;
    const tenant = await tenants.authenticateApiKey(apiKey, apiToken);
    return tenant ? callerOf(tenant) : null;
  };

  if (config.routerSecret) {
    const gate = routerGate(config.routerSecret);
    http.addHook('onRequest', async (request, reply) => {
      if (request.url.split('?')[0] === '/graphql') await gate(request, reply);
    });
  }
  await http.register(fastifyApollo(apollo), {
    path: '/graphql',
    context: async (request) => {
      const caller = await authenticate(
        header(request, 'x-api-key'),
        header(request, 'x-api-token'),
      );
      const admission = caller ? await rateLimits.admit(caller.tenantId) : null;
      if (admission && !admission.allowed) throw rateLimited(admission.retryAfterSeconds, 'http');
      return createGraphqlContext(services, caller);
    },
  });
  const replays: ReplayCache = redis
    ? new RedisReplayCache(redis.client, (error) =>
        log.warn({ err: error.message }, 'replay cache falls back to memory'),
      )
    : new MemoryReplayCache();
  await restRoutes(http, { services, tenants, replays, limits: rateLimits, clock, config });
  registerHealth(http, { orm, redis });

  const subscriptionServer: SubscriptionServer = startSubscriptionServer({
    server: http.server,
    schema,
    services,
    authenticate,
    admit: (caller) => rateLimits.admit(caller.tenantId),
    maxPerInstance: config.maxSubscriptionsPerInstance,
    routerSecret: config.routerSecret,
    validate: limitedValidate(config.env === 'production'),
    log: log.child({ component: 'subscriptions' }),
  });
  registerMetrics(http, {
    metrics,
    orm,
    clock,
    connections: subscriptionServer.connections,
    subscriptions: subscriptionServer.subscriptions,
  });

  relay.start();
  sweeper.start();
  callbacks.start();

  let closing: Promise<void> | null = null;
  return {
    http,
    orm,
    services,
    tenants,
    relay,
    sweeper,
    callbacks,
    subscriptions: subscriptionServer,
    close() {
      closing ??= (async () => {
        await sweeper.stop();
        await callbacks.stop();
        await subscriptionServer.close();
        // Idle keep-alive sockets would hold close() until their timeout: drop them as they idle.
        const reaper = setInterval(() => http.server.closeIdleConnections(), 100);
        await http.close().finally(() => clearInterval(reaper));
        await relay.drain().catch(() => undefined);
        await relay.stop();
        await events.close();
        await orm.close(true);
      })();
      return closing;
    },
  };
}
