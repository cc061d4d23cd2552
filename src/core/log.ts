import { pino, type Logger } from 'pino';

/**
 * The product's structured logger. JSON lines on stdout by default; components take a child
 * logger with their own `component` field so a person can filter one part of the system.
 */
export type { Logger };

let root: Logger | undefined;

export function rootLogger(): Logger {
  root ??= pino({
    level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    base: { app: 'parley' },
  });
  return root;
}

export function logger(component: string): Logger {
  return rootLogger().child({ component });
}
