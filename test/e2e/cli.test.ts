import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openOrm } from '../../src/persistence/orm';
import { TenantService } from '../../src/services/tenant-service';
import { type TestDatabase, createTestDatabase } from '../support/database';

const root = resolve(__dirname, '..', '..');
const bin = join(root, 'bin', 'bindery.js');
const secretsKey = randomBytes(32);

/** Only ever touched through `tenant create`, to prove that command migrates an empty database. */
let db: TestDatabase;
/** Only ever touched through `migrate`. */
let migrateDb: TestDatabase;
let dataDir: string;

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `bindery` command the way an operator would, against one test database. */
function binderyOn(database: TestDatabase, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: dataDir,
    encoding: 'utf8',
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      SECRETS_KEY: secretsKey.toString('hex'),
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const bindery = (...args: string[]): CliResult => binderyOn(db, ...args);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bindery-cli-'));
  db = await createTestDatabase();
  migrateDb = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
  await migrateDb?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('bindery CLI', () => {
  it('applies the migrations to an empty database with `migrate`, then finds nothing to do', () => {
    const first = binderyOn(migrateDb, 'migrate');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration\(s\)/);
    expect(first.stdout).toContain('Migration20261122000000Initial');

    const second = binderyOn(migrateDb, 'migrate');
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('up to date');
  });

  it('creates a tenant on an empty database and prints one JSON object of working credentials', async () => {
    const result = bindery(
      'tenant',
      'create',
      '--merchant-id',
      'TEST',
      '--channel-id',
      'TESTAPP',
      '--json',
    );
    expect(result.stderr).not.toMatch(/bindery:/);
    expect(result.status).toBe(0);

    const credentials = JSON.parse(result.stdout) as Record<string, string>;
    expect(Object.keys(credentials).sort()).toEqual(
      [
        'apiKey',
        'apiToken',
        'clientSecret',
        'keyId',
        'keySecret',
        'merchantChannelId',
        'merchantId',
        'signingSecret',
        'spId',
      ].sort(),
    );
    expect(credentials).toMatchObject({ merchantId: 'TEST', merchantChannelId: 'TESTAPP' });
    for (const value of Object.values(credentials)) expect(value).not.toBe('');

    // The printed secrets are the ones the server will accept (same database, same key).
    const orm = await openOrm(db.target);
    try {
      const tenants = new TenantService({ orm, secretsKey });
      expect(await tenants.authenticateApiKey(credentials.apiKey, credentials.apiToken)).not.toBe(
        null,
      );
      const tenant = await tenants.authenticateClient(credentials.spId, credentials.clientSecret);
      expect(tenants.signingSecretOf(tenant!)).toBe(credentials.signingSecret);
    } finally {
      await orm.close(true);
    }
  });

  it('refuses a second tenant for the same merchant channel with a message and exit code 1', () => {
    const args = ['tenant', 'create', '--merchant-id', 'DUP', '--channel-id', 'APP', '--json'];
    expect(bindery(...args).status).toBe(0);

    const again = bindery(...args);
    expect(again.status).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('already exists');
    expect(again.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints a readable listing without --json and keeps the spId it was given', () => {
    const result = bindery(
      'tenant',
      'create',
      '--merchant-id',
      'READABLE',
      '--channel-id',
      'APP',
      '--sp-id',
      'owner_sp_client_id',
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('not shown again');
    expect(result.stdout).toMatch(/spId\s+owner_sp_client_id/);
  });

  it('answers a malformed merchant id with the field name and exit code 1', () => {
    const result = bindery('tenant', 'create', '--merchant-id', 'has space', '--channel-id', 'A');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('merchantId');
  });

  it('answers an unknown command or missing option with usage on stderr and exit code 2', () => {
    const unknown = bindery('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('Usage: bindery');

    const missing = bindery('tenant', 'create', '--channel-id', 'APP');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--merchant-id');
  });

  it('prints usage on stdout and exits 0 when help is asked for', () => {
    const help = bindery('help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: bindery');
  });

  it('tells the operator to build first when the compiled CLI is missing', () => {
    const unbuilt = mkdtempSync(join(tmpdir(), 'bindery-unbuilt-'));
    try {
      mkdirSync(join(unbuilt, 'bin'));
      copyFileSync(bin, join(unbuilt, 'bin', 'bindery.js'));
      const result = spawnSync(process.execPath, [join(unbuilt, 'bin', 'bindery.js'), 'migrate'], {
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('npm run build');
    } finally {
      rmSync(unbuilt, { recursive: true, force: true });
    }
  });
});
