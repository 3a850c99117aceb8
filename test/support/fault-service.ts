import { VMN_NUMBER, VMN_SECRET } from './server';

/**
 * The environment a fault suite starts the built service with: its own database and data dir, the
 * test VMN and its webhook secret, and no demo tenant, so the suite's own tenant is the only one.
 */
export function faultServiceEnv(
  databaseUrl: string,
  secretsKey: string,
  dataDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    SECRETS_KEY: secretsKey,
    DATA_DIR: dataDir,
    VMN_NUMBERS: VMN_NUMBER,
    VMN_WEBHOOK_SECRET: VMN_SECRET,
    DEMO_TENANT: 'false',
    ...extra,
  };
}

/**
 * knex prints one plain-text line when its pool discards a connection the server closed
 * (`Connection Error: error: terminating connection due to administrator command`). That is the
 * pool noticing the fault and recovering, not an error going unhandled.
 */
const KNEX_DISCARDED_CONNECTION = /^Connection Error: /;

/**
 * Lines of the service's output that signal an error nobody handled: anything that is not a pino
 * JSON line (Node prints uncaught errors and their stacks as plain text), and any JSON line that
 * is fatal or speaks of an unhandled or uncaught error. Suites that cut database connections on
 * purpose pass `knexNoticesExpected`, so knex's notice is not taken for one.
 */
export function unhandledErrorLines(
  output: string,
  options: { knexNoticesExpected?: boolean } = {},
): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => !(options.knexNoticesExpected && KNEX_DISCARDED_CONNECTION.test(line)))
    .filter((line) => {
      try {
        return (JSON.parse(line).level ?? 0) >= 60 || /unhandled|uncaught/i.test(line);
      } catch {
        return true;
      }
    });
}

/** What the service said while the faults hit: error-level messages counted, knex's notices too. */
export function errorLogCounts(output: string): Record<string, number> {
  const counts: Record<string, number> = {};
  const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  for (const line of output.split('\n')) {
    if (KNEX_DISCARDED_CONNECTION.test(line)) count('knex: Connection Error (plain text)');
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      if ((entry.level ?? 0) >= 50) count(`error log: ${(entry.msg ?? '?').slice(0, 60)}`);
    } catch {
      // not JSON: unhandledErrorLines reports it
    }
  }
  return counts;
}
