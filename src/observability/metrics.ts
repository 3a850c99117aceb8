import { type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { type FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RegistrationStatus } from '../domain/registration-status';
import { OutboxEvent } from '../persistence/entities';
import { type Orm } from '../persistence/orm';
import { withDeadline } from './deadline';

/**
 * Failed deliveries of signed status callbacks. Process-wide rather than per app so the code that
 * delivers callbacks can increment it without being handed a registry.
 */
export const callbackDeliveryFailures = new Counter({
  name: 'bindery_callback_delivery_failures_total',
  help: 'Status callbacks that could not be delivered',
  registers: [],
});

let processRegistry: Registry | undefined;

/** Default process metrics start their observers once per process, however many apps it builds. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    processRegistry.registerMetric(callbackDeliveryFailures);
  }
  return processRegistry;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What one app records; created before Apollo so its plugin can share the instruments. */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  graphqlOperations: Counter<'operation' | 'type' | 'outcome'>;
  graphqlDuration: Histogram<'operation' | 'type' | 'outcome'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'bindery_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'bindery_http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to sending its answer',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    graphqlOperations: new Counter({
      name: 'bindery_graphql_operations_total',
      help: 'GraphQL operations over HTTP, by operation name, type and outcome',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    }),
    graphqlDuration: new Histogram({
      name: 'bindery_graphql_operation_duration_seconds',
      help: 'Time Apollo Server spent on one GraphQL operation over HTTP',
      labelNames: ['operation', 'type', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
  };
}

/** Operation names are chosen by callers; past this many distinct ones they count as "other". */
const MAX_OPERATION_NAMES = 200;

/**
 * Records each GraphQL operation Apollo Server answers. Outcome: `ok`; `error` when the response
 * carries errors; `rejected` when the document never resolved to an operation (parse or
 * validation failure). Mutations answering `errors: [UserError!]` are `ok`: they did their job.
 */
export function graphqlMetricsPlugin<TContext extends BaseContext>(
  metrics: Metrics,
): ApolloServerPlugin<TContext> {
  const known = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (!name) return 'anonymous';
    if (known.has(name)) return name;
    if (known.size >= MAX_OPERATION_NAMES) return 'other';
    known.add(name);
    return name;
  };
  return {
    async requestDidStart() {
      const started = performance.now();
      let operation = 'unknown';
      let type = 'unknown';
      let resolved = false;
      let errored = false;
      return {
        async didResolveOperation(context) {
          resolved = true;
          operation = label(context.operationName);
          type = context.operation?.operation ?? 'unknown';
        },
        async didEncounterErrors() {
          errored = true;
        },
        async willSendResponse() {
          const labels = {
            operation,
            type,
            outcome: !resolved ? 'rejected' : errored ? 'error' : 'ok',
          };
          metrics.graphqlOperations.inc(labels);
          metrics.graphqlDuration.observe(labels, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

export interface MetricsDeps {
  metrics: Metrics;
  orm: Orm;
  /** Open graphql-ws connections of this instance. */
  connections(): number;
  /** Live subscriptions of this instance, across its connections. */
  subscriptions(): number;
  clock?: () => Date;
  /** Longest a scrape waits for each database-backed gauge. */
  queryTimeoutMs?: number;
}

const UNMATCHED_ROUTE = 'unmatched';

function addGauges(app: FastifyInstance, deps: MetricsDeps): void {
  const { orm } = deps;
  const clock = deps.clock ?? (() => new Date());
  const timeoutMs = deps.queryTimeoutMs ?? 1000;
  const registers = [deps.metrics.registry];
  const failed = (gauge: string) => (error: unknown) =>
    app.log.warn({ err: error, gauge }, 'metrics gauge could not be read');

  new Gauge({
    name: 'bindery_websocket_connections',
    help: 'Open graphql-ws connections on this instance',
    registers,
    collect() {
      this.set(deps.connections());
    },
  });
  new Gauge({
    name: 'bindery_active_subscriptions',
    help: 'Live GraphQL subscriptions on this instance',
    registers,
    collect() {
      this.set(deps.subscriptions());
    },
  });
  new Gauge({
    name: 'bindery_outbox_lag_seconds',
    help: 'Age of the oldest unpublished outbox event (0 when none; NaN when the database did not answer)',
    registers,
    async collect() {
      try {
        const oldest = await withDeadline(
          orm.em.fork().findOne(OutboxEvent, { publishedAt: null }, { orderBy: { id: 'asc' } }),
          timeoutMs,
          'outbox lag query',
        );
        const lagMs = oldest ? clock().getTime() - oldest.createdAt.getTime() : 0;
        this.set(Math.max(0, lagMs) / 1000);
      } catch (error) {
        failed('bindery_outbox_lag_seconds')(error);
        this.set(Number.NaN);
      }
    },
  });
  new Gauge({
    name: 'bindery_registrations',
    help: 'Registrations by status, across tenants (absent when the database did not answer)',
    labelNames: ['status'],
    registers,
    async collect() {
      this.reset();
      try {
        const rows = await withDeadline(
          orm.em
            .fork()
            .getConnection()
            .execute<{ status: string; n: number | string }[]>(
              'select status, count(*) as n from registration group by status',
            ),
          timeoutMs,
          'registration count query',
        );
        // Every status is reported, so a count that drops to zero reads 0 rather than vanishing.
        for (const status of Object.values(RegistrationStatus)) this.set({ status }, 0);
        for (const row of rows) this.set({ status: row.status }, Number(row.n));
      } catch (error) {
        failed('bindery_registrations')(error);
      }
    },
  });
}

/**
 * Counts and times every HTTP answer and serves `GET /metrics` in the Prometheus text format.
 * The hook only reads what Fastify already measured: the route pattern (never the raw URL, whose
 * ids would explode the label space) and the elapsed time.
 */
export function registerMetrics(app: FastifyInstance, deps: MetricsDeps): void {
  const { httpRequests, httpDuration } = deps.metrics;
  addGauges(app, deps);
  const exposed = Registry.merge([processMetrics(), deps.metrics.registry]);

  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      method: request.method,
      status: String(reply.statusCode),
    };
    httpRequests.inc(labels);
    httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await exposed.metrics();
    return reply.header('content-type', exposed.contentType).send(text);
  });
}
