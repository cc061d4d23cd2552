import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { isParleyError } from './core/errors.js';
import { logger } from './core/log.js';

/**
 * `npm start`: the bot on the embedded default (PGlite in PARLEY_DATA_DIR, the shipped model,
 * the local web chat on http://127.0.0.1:PORT/). SIGTERM and SIGINT drain messages in flight and
 * queued writes, then close the store and exit.
 */

const log = logger('main');

async function main(): Promise<void> {
  const config = loadConfig();
  const app = createApp(config);

  let exiting = false;
  const shutdown = (signal: string) => {
    if (exiting) return;
    exiting = true;
    log.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.start();
  process.stdout.write(`Parley is answering at ${app.url}/\n`);
}

process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));

main().catch((err: unknown) => {
  // A start-up error is for a person: say it plainly on stderr as well as in the log.
  const message = err instanceof Error ? err.message : String(err);
  log.fatal({ code: isParleyError(err) ? err.code : undefined, err }, 'Parley could not start');
  process.stderr.write(`Parley could not start: ${message}\n`);
  process.exit(1);
});
