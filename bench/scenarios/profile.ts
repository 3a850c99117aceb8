import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bindery, type DatabaseKind, startBindery } from '../lib/bindery';
import { type Measured, measure, MEASURE_SECONDS, WARMUP_SECONDS } from '../lib/load';
import { type ScenarioResult } from '../lib/report';
import { drive } from './bind';
import { seedPoll } from './legacy-poll';
import { seed } from './query';

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<package> (scoped too), Bindery's own code, or Node's and V8's buckets. */
function ownerOf(url: string, name: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/dist/src/')) return 'bindery (dist/src)';
  if (url.startsWith('node:')) return 'node core';
  return url ? url : name; // (garbage collector), (program), (idle)...
}

function top(map: Map<string, number>, total: number, count: number) {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: us / total }));
}

/** Self time per function and per package, from the samples V8 took inside the window. */
export function summarise(profile: CpuProfile, windowsUs: [number, number][]) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!;
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    // Start-up (module loading, migrations) and the warm-up are not what a request costs.
    const inside = windowsUs.some(([from, to]) => at >= from && at <= to);
    if (!inside || frame.functionName === '(idle)') return;
    total += us;
    const where = frame.url
      ? ` ${frame.url.replace(/^.*node_modules\//, '')}:${frame.lineNumber + 1}`
      : '';
    const fn = `${frame.functionName || '(anonymous)'}${where}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    const owner = ownerOf(frame.url, frame.functionName);
    packages.set(owner, (packages.get(owner) ?? 0) + us);
  });
  return {
    busyMs: Math.round(total / 1000),
    functions: top(functions, total, 25),
    packages: top(packages, total, 15),
  };
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** The bind scenario's loop instead of autocannon; usage figures come from its tally. */
async function profiledBinding(server: Bindery): Promise<Measured> {
  await drive(server, server.tenant, WARMUP_SECONDS);
  const from = nowUs();
  const tally = await drive(server, server.tenant, MEASURE_SECONDS);
  const row = tally.row('');
  return {
    rps: row.rate!,
    p50Ms: row.p50Ms!,
    p99Ms: row.p99Ms!,
    failures: tally.failures,
    cpuCores: row.cpuCores!,
    dbCores: tally.db / tally.seconds,
    hostBusy: row.hostBusy!,
    peakRssMb: row.peakRssMb!,
    windowsUs: [[from, nowUs()]],
  };
}

/**
 * A scenario once more under --cpu-prof: where the CPU goes. Not in the default run because the
 * profiler slows the server. BENCH_PROFILE=query (default, registration(id)), legacy-poll (the
 * Enstage polling route) or bind (whole bindings, always PostgreSQL); BENCH_PROFILE_DB=postgres
 * profiles the query or the poll on PostgreSQL.
 */
export async function profileScenario(): Promise<ScenarioResult> {
  const asked = process.env.BENCH_PROFILE;
  const work = asked === 'bind' || asked === 'legacy-poll' ? asked : 'query';
  const db: DatabaseKind =
    work === 'bind' || process.env.BENCH_PROFILE_DB === 'postgres' ? 'postgres' : 'sqlite';
  const dir = mkdtempSync(join(tmpdir(), 'bindery-profile-'));
  const server = await startBindery(db, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  let measured: Measured;
  try {
    measured =
      work === 'bind'
        ? await profiledBinding(server)
        : await measure(
            server,
            (work === 'query' ? await seed(server) : await seedPoll(server)).load,
          );
  } finally {
    await server.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}: the server did not stop cleanly`);
  const summary = summarise(
    JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile,
    measured.windowsUs,
  );
  const pct = (s: number) => `${(s * 100).toFixed(1)}%`.padStart(6);
  process.stdout.write(
    `\nCPU profile (${join(dir, file)}), ${summary.busyMs} ms busy; self time by package:\n` +
      summary.packages.map((p) => `${pct(p.share)}  ${p.name}`).join('\n') +
      '\n\nTop functions by self time:\n' +
      summary.functions.map((f) => `${pct(f.share)}  ${f.name}`).join('\n') +
      '\n',
  );
  return {
    rows: [
      {
        scenario: 'profile',
        subject: `Bindery ${work} on ${db}, under --cpu-prof`,
        unit: work === 'bind' ? 'bindings/s' : 'req/s',
        rate: measured.rps,
        p50Ms: measured.p50Ms,
        p99Ms: measured.p99Ms,
        cpuCores: measured.cpuCores,
        peakRssMb: measured.peakRssMb,
        hostBusy: measured.hostBusy,
        failures: measured.failures,
      },
    ],
    extra: { file: join(dir, file), ...summary },
  };
}
