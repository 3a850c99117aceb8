import { buildOnce, TREES } from './lib/bindery';
import { CONNECTIONS, MEASURE_SECONDS, ROUNDS, WARMUP_SECONDS } from './lib/load';
import {
  renderTable,
  renderTargets,
  type Row,
  type ScenarioResult,
  type Target,
  writeResults,
} from './lib/report';
import { bindScenario } from './scenarios/bind';
import { entitiesScenario } from './scenarios/entities';
import { legacyPollScenario } from './scenarios/legacy-poll';
import { profileScenario } from './scenarios/profile';
import { pushScenario } from './scenarios/push';
import { queryScenario } from './scenarios/query';

/** `npm run bench` runs these in order; `npm run bench -- <name>...` runs only those named. */
const SCENARIOS: Record<string, () => Promise<ScenarioResult>> = {
  query: queryScenario,
  'legacy-poll': legacyPollScenario,
  bind: bindScenario,
  entities: entitiesScenario,
  push: pushScenario,
};
/** Run only when named: a profiled server is slower, so its figures never mix with the table's. */
const ON_REQUEST: Record<string, () => Promise<ScenarioResult>> = { profile: profileScenario };

function progress(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

async function main(): Promise<number> {
  const asked = process.argv.slice(2);
  const all = { ...SCENARIOS, ...ON_REQUEST };
  const unknown = asked.filter((name) => !(name in all));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(all).join(', ')}\n`,
    );
    return 2;
  }
  const names = asked.length > 0 ? asked : Object.keys(SCENARIOS);
  const started = performance.now();
  for (const tree of TREES) {
    progress(`building ${tree.dir} (tsc -p tsconfig.build.json)`);
    buildOnce(tree.dir);
  }

  const rows: Row[] = [];
  const targets: Target[] = [];
  const extra: Record<string, unknown> = {};
  const printed: string[] = [];
  let failed = false;
  for (const name of names) {
    progress(`${name}: running`);
    const t0 = performance.now();
    try {
      const result = await all[name]();
      rows.push(...result.rows);
      targets.push(...(result.targets ?? []));
      if (result.extra !== undefined) extra[name] = result.extra;
      if (result.printed) printed.push(result.printed);
    } catch (error) {
      // One broken scenario (say PostgreSQL is down) must not throw away the others' figures.
      failed = true;
      rows.push({
        scenario: name,
        subject: 'FAILED',
        note: (error as Error).message.split('\n')[0],
      });
      progress(`${name}: failed: ${(error as Error).stack}`);
    }
    progress(`${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }

  const seconds = (performance.now() - started) / 1000;
  const table = renderTable(rows);
  process.stdout.write(`\n${table}\n\n${renderTargets(targets)}\n`);
  for (const text of printed) process.stdout.write(`\n${text}\n`);
  const file = await writeResults({
    startedAt: new Date(Date.now() - seconds * 1000).toISOString(),
    seconds: Math.round(seconds),
    scenarios: names,
    settings: {
      measureSeconds: MEASURE_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      rounds: ROUNDS,
      connections: CONNECTIONS,
    },
    rows,
    targets,
    ...extra,
    table,
  });
  process.stdout.write(`\n${seconds.toFixed(0)} s in all; written to ${file} and latest.json\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
