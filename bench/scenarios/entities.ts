import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Row, RESULTS_DIR, type ScenarioResult } from '../lib/report';

/** Another engineer owns bench/entities.ts; this only runs it and folds its JSON into the table. */
const SCRIPT = join(__dirname, '..', 'entities.ts');
const RESULTS_FILE = join(RESULTS_DIR, 'entities.json');
/** It ran in under a minute; a script that failed but kept handles open must not hold the run. */
const TIME_LIMIT_MS = 180_000;

interface EntitiesMeasurement {
  representations: number;
  variant: string;
  p50Ms: number;
  p99Ms: number;
}

function runScript(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', SCRIPT], {
      cwd: join(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let printed = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TIME_LIMIT_MS);
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(printed);
      else reject(new Error(`bench/entities.ts ended with ${signal ?? `exit code ${code}`}`));
    });
  });
}

/**
 * _entities latency for 1/10/100 Registration representations: Bindery's DataLoader (one query
 * per type) beside the same server resolving each representation on its own.
 */
export async function entitiesScenario(): Promise<ScenarioResult> {
  if (!existsSync(SCRIPT)) {
    return {
      rows: [
        { scenario: 'entities', subject: 'skipped', note: 'bench/entities.ts is not there yet' },
      ],
    };
  }
  const printed = await runScript();
  const report = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as {
    measurements?: EntitiesMeasurement[];
  };
  const of = (n: number, variant: string) =>
    report.measurements?.find((m) => m.representations === n && m.variant === variant);
  const sizes = [...new Set((report.measurements ?? []).map((m) => m.representations))];
  const rows: Row[] = sizes.flatMap((n) => {
    // Same Apollo server, only the loader swapped: the one like-for-like pair in its report.
    const [batched, unbatched] = [of(n, 'batched'), of(n, 'per-representation')];
    if (!batched || !unbatched) return [];
    return [
      {
        scenario: 'entities',
        subject: `_entities × ${n}, one query per representation`,
        p50Ms: unbatched.p50Ms,
        p99Ms: unbatched.p99Ms,
      },
      {
        scenario: 'entities',
        subject: `_entities × ${n}, DataLoader batch (Bindery's loader)`,
        p50Ms: batched.p50Ms,
        p99Ms: batched.p99Ms,
        ratios: { unbatched: unbatched.p50Ms / batched.p50Ms },
      },
    ];
  });
  if (rows.length === 0) {
    rows.push({ scenario: 'entities', subject: 'ran', note: 'see bench/results/entities.json' });
  }
  return { rows, extra: report, printed: `bench/entities.ts:\n${printed.trim()}` };
}
