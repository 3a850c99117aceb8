import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { type Measured } from './load';
import { CORES } from './proc';

/** One measured subject: Bindery or a baseline, in one scenario. */
export interface Row {
  scenario: string;
  subject: string;
  /** What `rate` counts: req/s, bindings/s; absent for pure latency rows. */
  unit?: string;
  rate?: number;
  p50Ms?: number;
  p99Ms?: number;
  cpuCores?: number;
  dbCores?: number;
  peakRssMb?: number;
  hostBusy?: number;
  /**
   * Against each baseline measured in the same run, higher always better: rate ÷ baseline rate
   * for throughput rows, baseline p50 ÷ this p50 for latency rows.
   */
  ratios?: Record<string, number>;
  failures?: number;
  note?: string;
}

/** A throughput row from a measurement; db cpu only where a local PostgreSQL did the work. */
export function measuredRow(
  scenario: string,
  subject: string,
  m: Measured,
  extra: Partial<Row> = {},
): Row {
  return {
    scenario,
    subject,
    unit: 'req/s',
    rate: m.rps,
    p50Ms: m.p50Ms,
    p99Ms: m.p99Ms,
    cpuCores: m.cpuCores,
    peakRssMb: m.peakRssMb,
    hostBusy: m.hostBusy,
    failures: m.failures,
    ...extra,
  };
}

export interface Target {
  scenario: string;
  goal: string;
  measured: string;
  met: boolean;
}

export interface ScenarioResult {
  rows: Row[];
  targets?: Target[];
  /** Anything a scenario hands over whole (e.g. bench/entities.ts's own JSON). */
  extra?: unknown;
  /** Text shown under the table, as a scenario's own tool printed it. */
  printed?: string;
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits);

const HEADER = [
  'scenario',
  'subject',
  'rate',
  'p50 ms',
  'p99 ms',
  'cpu (cores)',
  'cpu ms/op',
  'db cpu',
  'peak RSS MB',
  'host busy',
  'vs baselines',
];

function cells(row: Row): string[] {
  const ratios = Object.entries(row.ratios ?? {})
    .map(([name, value]) => `${value.toFixed(2)}× ${name}`)
    .join(', ');
  const failed = row.failures ? ` (${row.failures} failed)` : '';
  return [
    row.scenario,
    row.subject + failed + (row.note ? ` — ${row.note}` : ''),
    row.rate === undefined ? '' : `${row.rate.toFixed(0)} ${row.unit ?? ''}`.trim(),
    fixed(row.p50Ms, 2),
    fixed(row.p99Ms, 2),
    fixed(row.cpuCores, 2),
    // Server CPU per operation: steadier than req/s when neighbours take cores away.
    row.cpuCores !== undefined && row.rate ? ((row.cpuCores * 1000) / row.rate).toFixed(3) : '',
    fixed(row.dbCores, 2),
    fixed(row.peakRssMb, 0),
    row.hostBusy === undefined ? '' : `${(row.hostBusy * 100).toFixed(0)}%`,
    ratios,
  ];
}

/** A Markdown table, so the printed result can go straight into README's Performance section. */
export function renderTable(rows: Row[]): string {
  const body = rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(HEADER), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function renderTargets(targets: Target[]): string {
  return targets
    .map((t) => `- ${t.met ? 'met' : 'NOT met'}: ${t.scenario}: ${t.goal} (measured ${t.measured})`)
    .join('\n');
}

export const RESULTS_DIR = join(__dirname, '..', 'results');

/** bench/results/<timestamp>.json keeps history; latest.json is what README quotes. */
export async function writeResults(report: Record<string, unknown>): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // Formatted as `npm run check` wants it, so committing latest.json never breaks the check.
  const text = await format(
    JSON.stringify({ machine: { cores: CORES, node: process.version }, ...report }),
    { parser: 'json', ...((await resolveConfig(join(RESULTS_DIR, 'latest.json'))) ?? {}) },
  );
  const file = join(RESULTS_DIR, `${stamp}.json`);
  writeFileSync(file, text);
  writeFileSync(join(RESULTS_DIR, 'latest.json'), text);
  return file;
}
