import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/core/log.js';

/**
 * Bolt, the Web API client and the Socket Mode client log through this bridge into our pino
 * logger. Their debug lines are dropped on purpose: bolt 5.1 and web-api 8.2 print raw request
 * and response bodies at debug, which in a customer-service bot means customer text and tokens.
 */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;

  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => log.info(joinParts(parts)),
    warn: (...parts: unknown[]) => log.warn(joinParts(parts)),
    error: (...parts: unknown[]) => log.error(joinParts(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Errors keep only their name, code and message: a library error may carry a request body. */
function joinParts(parts: unknown[]): string {
  return parts
    .map((part) => {
      if (part instanceof Error) {
        const code = (part as { code?: unknown }).code;
        return `${part.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${part.message}`;
      }
      return typeof part === 'string' ? part : String(part);
    })
    .join(' ');
}
