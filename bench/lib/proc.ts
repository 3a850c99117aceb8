import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus } from 'node:os';

/** Jiffies per second for /proc/<pid>/stat; 100 on every Linux we run on, but ask once. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A port the kernel just gave out, so two benches or a stale server never collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm (field 2) may hold spaces; every field we need comes after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * CPU of every local PostgreSQL process, so a scenario shows whether the server or the database
 * ran out of cores. Zero when the database runs on another host.
 */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.includes('(postgres)')) total += processCpuSeconds(Number(entry));
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

function statusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return match ? Number(match[1]) : 0;
}

function hostTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  // idle + iowait are the only ticks in which no core did work.
  return { busy: total - n[3] - (n[4] ?? 0), total };
}

export interface Usage {
  /** Cores the server kept busy on average (1.0 = one core flat out). */
  cpuCores: number;
  /** VmHWM: the most resident memory the process ever held, in MiB. */
  peakRssMb: number;
  /** Cores local PostgreSQL processes kept busy in the same window. */
  dbCores: number;
  /** Share of every core on the machine that was busy, 0..1: shows when the box itself is full. */
  hostBusy: number;
}

/** CPU of one process and of the host between start() and stop(), read from /proc. */
export class UsageMeter {
  private cpu0 = 0;
  private db0 = 0;
  private host0 = { busy: 0, total: 0 };
  private t0 = 0;

  constructor(private readonly pid: number) {}

  start(): void {
    this.cpu0 = processCpuSeconds(this.pid);
    this.db0 = postgresCpuSeconds();
    this.host0 = hostTicks();
    this.t0 = performance.now();
  }

  stop(): Usage {
    const seconds = (performance.now() - this.t0) / 1000;
    const host = hostTicks();
    const hostTotal = host.total - this.host0.total;
    return {
      cpuCores: (processCpuSeconds(this.pid) - this.cpu0) / seconds,
      // Backends that exit inside the window take their ticks with them: never below zero.
      dbCores: Math.max(0, postgresCpuSeconds() - this.db0) / seconds,
      peakRssMb: statusKb(this.pid, 'VmHWM') / 1024,
      hostBusy: hostTotal > 0 ? (host.busy - this.host0.busy) / hostTotal : 0,
    };
  }
}

export const CORES = cpus().length;

export interface ServerProcess {
  pid: number;
  port: number;
  url: string;
  meter(): UsageMeter;
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode} before listening; see ${logFile}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not listen on ${port} within 60 s; see ${logFile}`);
}

/**
 * Runs a server in its own process so its CPU and memory can be read apart from the load
 * generator's, and so the load generator never shares its event loop.
 */
export async function startProcess(options: {
  args: string[];
  env: Record<string, string>;
  port: number;
  logFile: string;
  cwd: string;
}): Promise<ServerProcess> {
  const log = createWriteStream(options.logFile);
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(options.port, child, options.logFile);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    pid: child.pid!,
    port: options.port,
    url: `http://127.0.0.1:${options.port}`,
    meter: () => new UsageMeter(child.pid!),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        // A graceful stop lets --cpu-prof write its profile; a hung one must not hang the bench.
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
