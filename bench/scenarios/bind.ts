import { startLimit } from '../lib/baselines';
import { type Bindery, startBindery, type Tenant, TREES } from '../lib/bindery';
import {
  type Answer,
  BIND_DEVICE,
  bindInput,
  CUSTOMER_MOBILE,
  deliverSms,
  graphql,
  issueToken,
} from '../lib/http';
import { percentile, ROUNDS, WARMUP_SECONDS } from '../lib/load';
import { CORES, type ServerProcess } from '../lib/proc';
import { type Row, type ScenarioResult } from '../lib/report';
import { withServers } from './query';

export const BIND_TARGET = 500;
const CLIENTS = Number(process.env.BENCH_BIND_CLIENTS ?? 50);
const BIND_SECONDS = Number(process.env.BENCH_BIND_SECONDS ?? 15);

/** One binding as a payment app and the VMN aggregator make it: token, SMS report, bind. */
async function bindOnce(url: string, tenant: Tenant): Promise<void> {
  const attempt = await issueToken(url, tenant);
  const sms = await deliverSms(url, {
    from: CUSTOMER_MOBILE,
    to: attempt.vmn,
    content: attempt.smsContent,
  });
  if (sms.status !== 200) throw new Error(`inbound SMS ${sms.status}: ${JSON.stringify(sms.body)}`);
  const bound: Answer = await graphql(url, tenant, BIND_DEVICE, { input: bindInput(attempt) });
  if (bound.body?.data?.bindDevice?.deviceBinding?.status !== 'ACTIVE') {
    throw new Error(`bindDevice: ${JSON.stringify(bound.body)}`);
  }
}

/** Sums over the turns one subject had; the limit and each tree get their own. */
class Tally {
  latencies: number[] = [];
  failures = 0;
  firstFailure?: string;
  seconds = 0;
  cpu = 0;
  db = 0;
  host = 0;
  client = 0;
  peakRssMb = 0;

  row(subject: string, extra: Partial<Row> = {}): Row {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      scenario: 'bind',
      subject,
      unit: 'bindings/s',
      rate: this.perSecond(),
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      cpuCores: this.cpu / this.seconds,
      peakRssMb: this.peakRssMb,
      hostBusy: this.host / this.seconds,
      failures: this.failures,
      note: `load generator ${(this.client / this.seconds).toFixed(2)} cores`,
      ...extra,
    };
  }

  perSecond(): number {
    return this.latencies.length / this.seconds;
  }
}

/** CLIENTS loops, each starting its next binding when the last ends, for `seconds`. */
export async function drive(server: ServerProcess, tenant: Tenant, seconds: number, tally?: Tally) {
  const into = tally ?? new Tally();
  const meter = server.meter();
  const client0 = process.cpuUsage();
  meter.start();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await bindOnce(server.url, tenant);
          into.latencies.push(performance.now() - t0);
        } catch (error) {
          into.failures++;
          into.firstFailure ??= (error as Error).message.slice(0, 300);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const usage = meter.stop();
  const client = process.cpuUsage(client0);
  into.seconds += elapsed;
  into.cpu += usage.cpuCores * elapsed;
  into.db += usage.dbCores * elapsed;
  into.host += usage.hostBusy * elapsed;
  into.client += (client.user + client.system) / 1e6;
  into.peakRssMb = Math.max(into.peakRssMb, usage.peakRssMb);
  return into;
}

/** The three answers of one real binding, for the limit to send back byte for byte. */
async function cannedFlow(server: Bindery) {
  const attempt = await issueToken(server.url, server.tenant);
  const sms = await deliverSms(server.url, {
    from: CUSTOMER_MOBILE,
    to: attempt.vmn,
    content: attempt.smsContent,
  });
  const bound = await graphql(server.url, server.tenant, BIND_DEVICE, {
    input: bindInput(attempt),
  });
  const token = {
    data: {
      requestSmsToken: {
        smsContent: attempt.smsContent,
        registration: { id: attempt.registrationId, vmn: attempt.vmn, status: 'PENDING_SMS' },
        errors: [],
      },
    },
  };
  return [
    { path: '/graphql', match: 'requestSmsToken', body: JSON.stringify(token) },
    { path: '/v1/vmn/inbound-sms', body: JSON.stringify(sms.body) },
    { path: '/graphql', match: 'bindDevice', body: JSON.stringify(bound.body) },
  ];
}

/**
 * Whole bindings per second on PostgreSQL with CLIENTS concurrent apps, each binding a new device
 * of a new customer (the attempt limit counts per device), beside the same loop against the limit.
 */
export async function bindScenario(): Promise<ScenarioResult> {
  const fakeTenant: Tenant = {
    apiKey: 'k',
    apiToken: 't',
    merchantId: 'M',
    merchantChannelId: 'C',
  };
  return withServers(
    TREES.map((tree) => () => startBindery('postgres', { dir: tree.dir })),
    async (servers) => {
      const binderies = servers as Bindery[];
      const answers = await cannedFlow(binderies[0]);
      return withServers([() => startLimit(answers)], async ([limitServer]) => {
        await drive(limitServer, fakeTenant, WARMUP_SECONDS);
        for (const bindery of binderies) await drive(bindery, bindery.tenant, WARMUP_SECONDS);
        const limit = new Tally();
        const tallies = binderies.map(() => new Tally());
        // Interleaved turns, as in the other scenarios; the limit needs less time to settle.
        for (let round = 0; round < ROUNDS; round++) {
          await drive(limitServer, fakeTenant, BIND_SECONDS / ROUNDS / 3, limit);
          for (const [i, bindery] of binderies.entries()) {
            await drive(bindery, bindery.tenant, BIND_SECONDS / ROUNDS, tallies[i]);
          }
        }
        for (const tally of tallies) {
          if (tally.firstFailure)
            process.stderr.write(`bind: first failure: ${tally.firstFailure}\n`);
        }
        return {
          rows: [
            limit.row('limit: same loop, bare node:http answers'),
            ...tallies.map((tally, i) =>
              tally.row(`${TREES[i].label} on PostgreSQL`, {
                dbCores: tally.db / tally.seconds,
                ratios: { limit: tally.perSecond() / limit.perSecond() },
              }),
            ),
          ],
          targets: tallies.map((tally, i) => ({
            scenario: 'bind',
            goal: `${TREES[i].label}: ≥ ${BIND_TARGET} bindings/s on PostgreSQL, ${CLIENTS} clients, ${CORES} cores`,
            measured: `${tally.perSecond().toFixed(0)}/s`,
            met: tally.perSecond() >= BIND_TARGET,
          })),
        };
      });
    },
  );
}
