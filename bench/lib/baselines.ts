import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { BINDERY_DIR } from './bindery';
import { freePort, type ServerProcess, startProcess } from './proc';

const BUILD_DIR = mkdtempSync(join(tmpdir(), 'bindery-bench-baselines-'));

/**
 * Baselines run as plain compiled JavaScript: under ts-node their resident memory would carry the
 * TypeScript compiler and make Bindery's memory look better than it is. Each server file imports
 * only packages, so transpiling it alone is enough; NODE_PATH lets them resolve from a temp dir.
 * NODE_ENV matches Bindery's (production, as deployed), so graphql-js takes the same code paths
 * in both.
 */
function compiled(name: 'limit' | 'peer'): string {
  const source = readFileSync(join(__dirname, '..', 'servers', `${name}.ts`), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const file = join(BUILD_DIR, `${name}.js`);
  writeFileSync(file, outputText);
  return file;
}

async function startBaseline(name: 'limit' | 'peer', env: Record<string, string>) {
  const port = await freePort();
  return startProcess({
    args: [compiled(name)],
    env: {
      ...env,
      BENCH_PORT: String(port),
      NODE_ENV: 'production',
      NODE_PATH: join(BINDERY_DIR, 'node_modules'),
    },
    port,
    logFile: join(tmpdir(), `bindery-bench-${name}-${port}.log`),
    cwd: BINDERY_DIR,
  });
}

export interface CannedAnswer {
  path: string;
  match?: string;
  body: string;
}

/** The bare Node HTTP limit, answering the given bytes. */
export function startLimit(answers: CannedAnswer[]): Promise<ServerProcess> {
  return startBaseline('limit', { BENCH_ANSWERS: JSON.stringify(answers) });
}

/** A bare Apollo subgraph on Bindery's SDL answering `registration` with this object. */
export function startPeer(registration: unknown): Promise<ServerProcess> {
  return startBaseline('peer', {
    BENCH_REGISTRATION: JSON.stringify(registration),
    BENCH_SDL_FILE: join(BINDERY_DIR, 'schema', 'subgraph.graphql'),
  });
}
