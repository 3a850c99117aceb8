// type-graphql reads decorator metadata while the resolver modules load: this import goes first.
import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import DataLoader from 'dataloader';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type App, createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createGraphqlContext, type GraphqlContext } from '../src/graphql/context';
import { buildBinderySchema } from '../src/graphql/schema';
import { createLogger } from '../src/logger';
import { callerOf } from '../src/services';
import { type TenantCredentials } from '../src/services/tenant-service';

/**
 * Latency of `_entities` with 1, 10 and 100 Registration representations, as a router sends
 * them, with Bindery's DataLoader batching (one query per request) and without it (one
 * `findRegistration` per representation). Run: `npx ts-node --transpile-only bench/entities.ts`.
 */

const SIZES = [1, 10, 100];
const REQUESTS = 300;
const WARMUP = 30;
const RESULTS_FILE = resolve(__dirname, 'results/entities.json');
const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Registration { id status } } }`;

type Variant = 'bindery' | 'batched' | 'per-representation';
const VARIANTS: Variant[] = ['bindery', 'batched', 'per-representation'];

interface Measurement {
  representations: number;
  variant: Variant;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

async function startBindery(dir: string): Promise<{ app: App; url: string }> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dir,
    DATABASE_URL: `sqlite:${join(dir, 'bindery.sqlite')}`,
    SECRETS_KEY: '11'.repeat(32),
    VMN_NUMBERS: '919900000001',
    DEMO_TENANT: 'false',
  });
  const app = await createApp(config, { logger: createLogger('silent') });
  const url = await app.http.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

/**
 * The comparison server: Bindery's schema and services behind one Apollo Server, so the two
 * variants differ in the registration loader only. `x-bench-loader: per-representation` swaps
 * the DataLoader for one that fetches each representation on its own, as an unbatched
 * `__resolveReference` would.
 */
async function startComparisonServer(app: App): Promise<{ url: string; stop(): Promise<void> }> {
  const server = new ApolloServer<GraphqlContext>({
    schema: await buildBinderySchema(),
    logger: createLogger('silent'),
  });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => {
      const [apiKey, apiToken] = [req.headers['x-api-key'], req.headers['x-api-token']];
      const tenant =
        typeof apiKey === 'string' && typeof apiToken === 'string'
          ? await app.tenants.authenticateApiKey(apiKey, apiToken)
          : null;
      const caller = tenant && callerOf(tenant);
      const context = createGraphqlContext(app.services, caller);
      if (caller && req.headers['x-bench-loader'] === 'per-representation') {
        const perRepresentation = new DataLoader(
          async ([id]: readonly string[]) => [
            await app.services.registrations.findRegistration(caller, id),
          ],
          { batch: false },
        );
        // The request's loaders are made on first use; this one shadows the batched getter.
        return {
          ...context,
          loaders: Object.create(context.loaders, { registration: { value: perRepresentation } }),
        };
      }
      return context;
    },
  });
  return { url, stop: () => server.stop() };
}

interface Answer<Data> {
  data?: Data;
  errors?: unknown[];
}

async function post<Data>(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<Answer<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const answer = (await response.json()) as Answer<Data>;
  if (response.status !== 200 || answer.errors) throw new Error(JSON.stringify(answer));
  return answer;
}

async function seedRegistrations(url: string, tenant: TenantCredentials, count: number) {
  const ids: string[] = [];
  const query = `mutation ($input: RequestSmsTokenInput!) {
    requestSmsToken(input: $input) { registration { id } errors { code } } }`;
  const credentials = { 'x-api-key': tenant.apiKey, 'x-api-token': tenant.apiToken };
  for (let i = 0; i < count; i++) {
    // A device may ask for three tokens a day: one device per registration.
    const input = {
      merchantCustomerId: `bench-${i}`,
      deviceId: `bench-device-${i}`,
      os: 'android',
    };
    const answer = await post<{ requestSmsToken: { registration: { id: string } } }>(
      `${url}/graphql`,
      credentials,
      JSON.stringify({ query, variables: { input } }),
    );
    ids.push(answer.data!.requestSmsToken.registration.id);
  }
  return ids;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

const round = (ms: number) => Math.round(ms * 100) / 100;

type Target = [endpoint: string, headers: Record<string, string>];

function summary(variant: Variant, size: number, latencies: number[]): Measurement {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length;
  return {
    variant,
    representations: size,
    requests: sorted.length,
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    meanMs: round(mean),
  };
}

/**
 * One request per variant in turn, so a burst of load elsewhere on the machine slows every
 * variant alike instead of spoiling whichever case happened to be running.
 */
async function measureSize(
  targets: Record<Variant, Target>,
  registrationIds: string[],
): Promise<Measurement[]> {
  const representations = registrationIds.map((id) => ({ __typename: 'Registration', id }));
  const body = JSON.stringify({ query: ENTITIES, variables: { representations } });
  for (const [endpoint, headers] of Object.values(targets)) {
    const first = await post<{ _entities: unknown[] }>(endpoint, headers, body);
    // A fast answer that resolved nothing would measure nothing.
    if (first.data?._entities.some((entity) => entity === null) !== false) {
      throw new Error(`${endpoint} did not resolve every representation`);
    }
  }
  const latencies = new Map<Variant, number[]>(VARIANTS.map((variant) => [variant, []]));
  for (let i = -WARMUP; i < REQUESTS; i++) {
    for (const variant of VARIANTS) {
      const [endpoint, headers] = targets[variant];
      const start = performance.now();
      await post(endpoint, headers, body);
      if (i >= 0) latencies.get(variant)!.push(performance.now() - start);
    }
  }
  return VARIANTS.map((variant) =>
    summary(variant, registrationIds.length, latencies.get(variant)!),
  );
}

function table(measurements: Measurement[]): string {
  const of = (size: number, variant: Variant) =>
    measurements.find((m) => m.representations === size && m.variant === variant)!;
  const header = [
    'representations',
    ...VARIANTS.flatMap((v) => [`${v} p50`, `${v} p99`]),
    'per-representation/batched p50',
  ];
  const rows = SIZES.map((size) => [
    String(size),
    ...VARIANTS.flatMap((v) => [of(size, v).p50Ms.toFixed(2), of(size, v).p99Ms.toFixed(2)]),
    `${(of(size, 'per-representation').p50Ms / of(size, 'batched').p50Ms).toFixed(1)}x`,
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i].length)),
  );
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i])).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bindery-bench-'));
  const { app, url } = await startBindery(dir);
  const comparison = await startComparisonServer(app);
  try {
    const tenant = await app.tenants.createTenant({
      merchantId: 'BENCH',
      merchantChannelId: 'BENCH',
    });
    const credentials = { 'x-api-key': tenant.apiKey, 'x-api-token': tenant.apiToken };
    const registrationIds = await seedRegistrations(url, tenant, Math.max(...SIZES));
    const targets: Record<Variant, Target> = {
      bindery: [`${url}/graphql`, credentials],
      batched: [comparison.url, credentials],
      'per-representation': [
        comparison.url,
        { ...credentials, 'x-bench-loader': 'per-representation' },
      ],
    };
    const measurements: Measurement[] = [];
    for (const size of SIZES) {
      measurements.push(...(await measureSize(targets, registrationIds.slice(0, size))));
    }
    console.log(
      `_entities latency in ms, SQLite, ${REQUESTS} sequential requests per case after ${WARMUP} warm-up, variants interleaved`,
    );
    console.log(
      'bindery: its /graphql (Fastify); batched / per-representation: one Apollo Server, the loader swapped\n',
    );
    console.log(table(measurements));
    mkdirSync(dirname(RESULTS_FILE), { recursive: true });
    const report = {
      benchmark: '_entities with Registration representations',
      database: 'sqlite',
      node: process.version,
      measuredAt: new Date().toISOString(),
      warmupRequests: WARMUP,
      measurements,
    };
    writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${RESULTS_FILE}`);
  } finally {
    await comparison.stop();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
