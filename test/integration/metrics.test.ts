import { ApolloServer } from '@apollo/server';
import fastifyApollo from '@as-integrations/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { InProcessEventBus } from '../../src/events/pubsub';
import {
  callbackDeliveryFailures,
  createMetrics,
  graphqlMetricsPlugin,
  registerMetrics,
} from '../../src/observability/metrics';
import { type Orm } from '../../src/persistence/orm';
import { callerOf, createServices } from '../../src/services';
import { TenantService } from '../../src/services/tenant-service';
import { openMigratedOrm, type TestDatabase } from '../support/database';
import { serviceConfig } from '../support/service-config';

let orm: Orm;
let db: TestDatabase;
let app: FastifyInstance;
let apollo: ApolloServer;
let url: string;

const OUTBOX_AGE_SECONDS = 30;

beforeAll(async () => {
  ({ orm, db } = await openMigratedOrm());
  const metrics = createMetrics();
  app = Fastify();
  apollo = new ApolloServer({
    typeDefs: 'type Query { hello: String, boom: String }',
    resolvers: {
      Query: {
        hello: () => 'world',
        boom: () => {
          throw new Error('boom');
        },
      },
    },
    plugins: [graphqlMetricsPlugin(metrics)],
  });
  await apollo.start();
  await app.register(fastifyApollo(apollo), { path: '/graphql' });
  app.get('/things/:id', async () => ({ ok: true }));
  registerMetrics(app, {
    metrics,
    orm,
    // Read as if half a minute passed since the outbox row below was written.
    clock: () => new Date(Date.now() + OUTBOX_AGE_SECONDS * 1000),
    connections: () => 3,
    subscriptions: () => 5,
  });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await apollo.stop();
  await orm.close(true);
  await db.drop();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`unreadable line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find(
    (s) =>
      s.name === name &&
      Object.keys(labels).length === Object.keys(s.labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;

async function scrape(): Promise<{ contentType: string | null; samples: Sample[] }> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  return {
    contentType: response.headers.get('content-type'),
    samples: parse(await response.text()),
  };
}

const graphql = (query: string, operationName?: string) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, operationName }),
  });

describe('GET /metrics', () => {
  it('labels HTTP requests by route pattern, never by the raw URL', async () => {
    await fetch(`${url}/things/42`);
    await fetch(`${url}/things/43`);
    await fetch(`${url}/nowhere/at/all`);
    const { contentType, samples } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const things = { route: '/things/:id', method: 'GET', status: '200' };
    expect(valueOf(samples, 'bindery_http_requests_total', things)).toBe(2);
    expect(valueOf(samples, 'bindery_http_request_duration_seconds_count', things)).toBe(2);
    expect(
      valueOf(samples, 'bindery_http_requests_total', {
        route: 'unmatched',
        method: 'GET',
        status: '404',
      }),
    ).toBe(1);
    expect(samples.some((s) => Object.values(s.labels).some((v) => v.includes('42')))).toBe(false);
  });

  it('counts GraphQL operations by name, type and outcome', async () => {
    await graphql('query Hello { hello }');
    await graphql('query Hello { hello }');
    await graphql('{ boom }');
    await graphql('query Broken { nope }');
    const { samples } = await scrape();
    const ops = 'bindery_graphql_operations_total';
    expect(valueOf(samples, ops, { operation: 'Hello', type: 'query', outcome: 'ok' })).toBe(2);
    expect(valueOf(samples, ops, { operation: 'anonymous', type: 'query', outcome: 'error' })).toBe(
      1,
    );
    // A document that does not validate never becomes an operation, so its name is not trusted.
    expect(
      valueOf(samples, ops, { operation: 'unknown', type: 'unknown', outcome: 'rejected' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'bindery_graphql_operation_duration_seconds_count', {
        operation: 'Hello',
        type: 'query',
        outcome: 'ok',
      }),
    ).toBe(2);
  });

  it('reports live sockets, registrations by status, outbox lag, callback failures and the process', async () => {
    const tenants = new TenantService({ orm, secretsKey: Buffer.alloc(32, 1) });
    const credentials = await tenants.createTenant({ merchantId: 'M', merchantChannelId: 'C' });
    const tenant = await tenants.authenticateApiKey(credentials.apiKey, credentials.apiToken);
    const services = createServices(
      {
        orm,
        config: serviceConfig(),
        clock: () => new Date(),
      },
      new InProcessEventBus(),
    );
    // No relay runs here, so the token's outbox row stays unpublished.
    const issued = await services.registrations.requestSmsToken(callerOf(tenant!), {
      merchantCustomerId: 'c-1',
      deviceId: 'd-1',
      os: 'android',
    });
    expect(issued.ok).toBe(true);
    callbackDeliveryFailures.inc();

    const { samples } = await scrape();
    expect(valueOf(samples, 'bindery_websocket_connections')).toBe(3);
    expect(valueOf(samples, 'bindery_active_subscriptions')).toBe(5);
    expect(valueOf(samples, 'bindery_registrations', { status: 'PENDING_SMS' })).toBe(1);
    expect(valueOf(samples, 'bindery_registrations', { status: 'BOUND' })).toBe(0);
    const lag = valueOf(samples, 'bindery_outbox_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(OUTBOX_AGE_SECONDS - 1);
    expect(lag).toBeLessThan(OUTBOX_AGE_SECONDS + 10);
    expect(valueOf(samples, 'bindery_callback_delivery_failures_total')).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_eventloop_lag_seconds')).toBeDefined();
  });
});
