import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { type DatabaseTarget, loadConfig } from '../config';
import { type Orm, migrate, openOrm } from '../persistence/orm';
import {
  type TenantCredentials,
  TenantService,
  validateTenantInput,
} from '../services/tenant-service';

export const USAGE = `Usage: bindery <command> [options]

Commands:
  tenant create --merchant-id ID --channel-id ID [--sp-id ID] [--json]
      Create a tenant (applying pending migrations first) and print its
      credentials once. --json prints exactly one JSON object on stdout.
  migrate
      Apply pending database migrations.
  help
      Show this text.

The database comes from DATABASE_URL (default sqlite:./.data/bindery.sqlite);
stored signing secrets are encrypted with SECRETS_KEY, which the server must share.
`;

type Env = Record<string, string | undefined>;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** A mistake in how the command was called: answered with usage and exit code 2. */
class UsageError extends Error {}

function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `sqlite ${target.path}`;
  const url = new URL(target.url);
  // Never echo the password that DATABASE_URL may carry.
  return `postgresql ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * The ORM's logger writes to stdout (the migrator logs each migration even without debug), which
 * would corrupt --json output. openOrm's only logger hook is onQuery, so every ORM message comes
 * through it: SQL is dropped (it can carry hashes), anything else goes to stderr.
 */
function ormMessagesToStderr(io: CliIo): (message: string) => void {
  return (message) => {
    const plain = message.replace(ANSI, '');
    if (!plain.startsWith('[query]')) io.stderr(`${plain}\n`);
  };
}

async function withOrm<T>(
  env: Env,
  io: CliIo,
  work: (orm: Orm, secretsKey: Buffer) => Promise<T>,
): Promise<T> {
  const config = loadConfig(env);
  const orm = await openOrm(config.database, { onQuery: ormMessagesToStderr(io) });
  try {
    return await work(orm, config.secretsKey);
  } finally {
    await orm.close(true);
  }
}

async function migrateCommand(args: string[], env: Env, io: CliIo): Promise<number> {
  if (args.length > 0) throw new UsageError(`migrate takes no arguments, got "${args[0]}"`);
  const target = describeTarget(loadConfig(env).database);
  const applied = await withOrm(env, io, (orm) => migrate(orm));
  if (applied.length === 0) {
    io.stdout(`Database ${target} is up to date; no migration applied.\n`);
  } else {
    io.stdout(`Applied ${applied.length} migration(s) to ${target}:\n`);
    for (const name of applied) io.stdout(`  ${name}\n`);
  }
  return 0;
}

function formatCredentials(credentials: TenantCredentials): string {
  const width = Math.max(...Object.keys(credentials).map((k) => k.length));
  const lines = Object.entries(credentials).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  return [
    'Tenant created. Store these credentials now: the secrets are not shown again.',
    ...lines,
    '',
  ].join('\n');
}

async function tenantCommand(args: string[], env: Env, io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    throw new UsageError(sub ? `unknown tenant command "${sub}"` : 'tenant needs a command');
  }
  let values: { 'merchant-id'?: string; 'channel-id'?: string; 'sp-id'?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        'merchant-id': { type: 'string' },
        'channel-id': { type: 'string' },
        'sp-id': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const merchantId = values['merchant-id'];
  const merchantChannelId = values['channel-id'];
  if (merchantId === undefined) throw new UsageError('tenant create needs --merchant-id');
  if (merchantChannelId === undefined) throw new UsageError('tenant create needs --channel-id');

  const input = { merchantId, merchantChannelId, spId: values['sp-id'] };
  validateTenantInput(input);

  const credentials = await withOrm(env, io, async (orm, secretsKey) => {
    await migrate(orm);
    return new TenantService({ orm, secretsKey }).createTenant(input);
  });
  io.stdout(values.json ? `${JSON.stringify(credentials)}\n` : formatCredentials(credentials));
  return 0;
}

/** Runs one CLI invocation and answers the exit code; never throws. */
export async function run(argv: string[], env: Env = process.env, io = processIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return 0;
      case 'migrate':
        return await migrateCommand(args, env, io);
      case 'tenant':
        return await tenantCommand(args, env, io);
      default:
        throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`bindery: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    // Operators need the reason, not our stack; messages here never contain a secret.
    io.stderr(`bindery: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
