import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
// Its own port range, apart from start.test.ts's, so the two files can run side by side.
const PORT = 20_000 + (process.pid % 20_000);
const URL = `http://127.0.0.1:${PORT}`;

let cwd: string;
let server: ChildProcessWithoutNullStreams;
let serverOutput = '';

/** The built service as `npm start` runs it, on the embedded SQLite default in an empty folder. */
beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'bindery-demo-'));
  const env = {
    PATH: process.env.PATH ?? '',
    PORT: String(PORT),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  server = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], { cwd, env });
  server.stdout.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
  server.stderr.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const up = await fetch(`${URL}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the service did not come up:\n${serverOutput}`);
});

afterAll(() => {
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(cwd, { recursive: true, force: true });
});

function runDemo(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(root, 'scripts', 'demo.js')],
      // The server's folder: with no credentials given, the demo's CLI tenant lands in its database.
      { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('npm run demo', () => {
  it('binds a device and accepts a consent, printing each pushed status in order', async () => {
    const { code, output } = await runDemo({ BINDERY_URL: URL });
    expect({ code, output }).toMatchObject({ code: 0 });
    const pushed = [...output.matchAll(/← (\w+)\s+pushed\s+\d+ ms after /g)].map((m) => m[1]);
    expect(pushed).toEqual(['PENDING_SMS', 'SMS_VERIFIED', 'BOUND', 'TRIGGERED', 'ACCEPTED']);
    // The demo never prints what a log line may not carry.
    expect(output).not.toMatch(/UPIACT|"apiToken"/);
  }, 60_000);

  it('exits non-zero with a clear message when no Bindery answers at BINDERY_URL', async () => {
    const { code, output } = await runDemo({ BINDERY_URL: 'http://127.0.0.1:9' });
    expect(code).not.toBe(0);
    expect(output).toContain('demo failed: cannot reach Bindery at http://127.0.0.1:9');
  });
});
