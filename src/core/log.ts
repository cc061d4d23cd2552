import { pino, type Logger } from 'pino';

/**
 * The product's structured logger. JSON lines on stdout by default; components take a child
 * logger with their own `component` field so a person can filter one part of the system.
 * The command line sends logs to stderr instead, so stdout holds only a command's output.
 */
export type { Logger };

let root: Logger | undefined;
let destination: 1 | 2 = 1;

export function rootLogger(): Logger {
  root ??= pino(
    {
      level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
      base: { app: 'parley' },
    },
    pino.destination({ fd: destination, sync: true }),
  );
  return root;
}

export function logger(component: string): Logger {
  return rootLogger().child({ component });
}

/** Sends every log line to stderr; call before the first logger is created. */
export function sendLogsToStderr(): void {
  if (root) throw new Error('sendLogsToStderr() must run before the first logger is created');
  destination = 2;
}
