import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { graphql } from '../support/clients';

const root = resolve(__dirname, '..', '..');
const PORT = 40_000 + (process.pid % 20_000);

let cwd: string;
let server: ChildProcessWithoutNullStreams;
let stdout = '';

/** Starts the built service the way `npm start` does, in an empty folder with no configuration. */
beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'bindery-start-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PORT: String(PORT),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  server = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], { cwd, env });
  server.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  server.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const up = await fetch(`http://127.0.0.1:${PORT}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the service did not come up:\n${stdout}`);
});

afterAll(() => {
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(cwd, { recursive: true, force: true });
});

describe('npm start with no environment', () => {
  it('serves /healthz and /graphql on the embedded default with a demo tenant whose printed credentials work', async () => {
    expect((await fetch(`http://127.0.0.1:${PORT}/healthz`)).status).toBe(200);
    const printed = stdout.match(/Demo tenant created \(shown once\):\n(\{[\s\S]*?\n\})/);
    expect(printed).not.toBeNull();
    const demo = JSON.parse(printed![1]);
    const answer = await graphql(
      `http://127.0.0.1:${PORT}`,
      'query { customer(merchantCustomerId: "nobody") { merchantCustomerId } }',
      {},
      demo,
    );
    expect(answer).toEqual({ status: 200, data: { customer: null }, errors: undefined });
  });

  it('stops cleanly with exit code 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((done) => server.once('exit', (code) => done(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
