import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

/** How long SIGTERM waits for in-flight work before giving up. */
const STOP_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`bindery: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const app = await createApp(config, { logger: log });

  if (config.createDemoTenant) {
    const demo = await app.tenants.ensureDemoTenant();
    if (demo) {
      // Printed once, on the first start of an empty database, so a developer can call the API.
      process.stdout.write(
        `\nDemo tenant created (shown once):\n${JSON.stringify(demo, null, 2)}\n\n`,
      );
    }
  }

  const address = await app.http.listen({ port: config.port, host: config.host });
  log.info({ address, database: config.database.kind }, 'bindery listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      log.error('stop timed out');
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`bindery: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
