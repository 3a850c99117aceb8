import autocannon from 'autocannon';
import { type ServerProcess, type Usage } from './proc';

/** Seconds each subject is measured, and warmed up first; BENCH_SECONDS shortens a run. */
export const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 4);
/**
 * The measured seconds come in this many turns, subjects taking turns, so a burst of noise from
 * a neighbour (these machines are shared) lands on every subject instead of on one.
 */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Enough in flight to keep two cores busy without turning latency into queueing time. */
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

export interface Measured extends Usage {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx plus socket errors and timeouts: any makes the figure suspect. */
  failures: number;
  /** CLOCK_MONOTONIC µs bounds of each measured turn: the clock V8's CPU profiles use. */
  windowsUs: [number, number][];
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Subject {
  server: ServerProcess;
  load: LoadRequest;
}

function fire(
  subject: Subject,
  seconds: number,
  onLatency?: (ms: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${subject.server.url}${subject.load.path}`,
        method: 'POST',
        headers: subject.load.headers,
        body: subject.load.body,
        connections: CONNECTIONS,
        duration: seconds,
      },
      (error: unknown, result) => (error ? reject(error as Error) : resolve(result)),
    );
    // autocannon's own histogram keeps whole milliseconds; the limit answers in well under one.
    if (onLatency) {
      instance.on('response', (_client, status, _bytes, ms) => {
        if (status >= 200 && status < 300) onLatency(ms);
      });
    }
  });
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Each subject warmed up (JIT, pools, caches: Bindery needs seconds before its figures settle),
 * then measured in interleaved turns; usage is summed over the turns a subject had.
 */
export async function measureSideBySide(subjects: Subject[]): Promise<Measured[]> {
  for (const subject of subjects) await fire(subject, WARMUP_SECONDS);
  const totals = subjects.map(() => ({
    latencies: [] as number[],
    seconds: 0,
    cpu: 0,
    db: 0,
    hostBusy: 0,
    peakRssMb: 0,
    failures: 0,
    windowsUs: [] as [number, number][],
  }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, subject] of subjects.entries()) {
      const total = totals[i];
      const meter = subject.server.meter();
      meter.start();
      const from = nowUs();
      const result = await fire(subject, MEASURE_SECONDS / ROUNDS, (ms) =>
        total.latencies.push(ms),
      );
      const usage = meter.stop();
      const to = nowUs();
      const seconds = (to - from) / 1e6;
      total.windowsUs.push([from, to]);
      total.seconds += seconds;
      total.cpu += usage.cpuCores * seconds;
      total.db += usage.dbCores * seconds;
      total.hostBusy += usage.hostBusy * seconds;
      total.peakRssMb = Math.max(total.peakRssMb, usage.peakRssMb);
      total.failures += result.non2xx + result.errors + result.timeouts;
    }
  }
  return totals.map((t) => {
    const sorted = Float64Array.from(t.latencies).sort();
    return {
      rps: t.latencies.length / t.seconds,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      failures: t.failures,
      cpuCores: t.cpu / t.seconds,
      dbCores: t.db / t.seconds,
      hostBusy: t.hostBusy / t.seconds,
      peakRssMb: t.peakRssMb,
      windowsUs: t.windowsUs,
    };
  });
}

export async function measure(server: ServerProcess, load: LoadRequest): Promise<Measured> {
  const [measured] = await measureSideBySide([{ server, load }]);
  return measured;
}
