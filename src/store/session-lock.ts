import postgres, { type Options } from 'postgres';
import type { Logger } from '../core/log.js';
import { guard } from './errors.js';

/**
 * Session-level advisory locks on a real server, each held on a connection of its own.
 *
 * Why not a connection reserved from the pool (`sql.reserve()`): in postgres.js 3.4 a query sent
 * on a reserved connection after the server closed it is written to a null socket on a later tick
 * and throws an uncaught TypeError, which kills the process. A separate client with one
 * connection has no such path, and ending it ends the session, which makes the server drop every
 * lock the session held: no unlock query that could fail, and a dead instance frees its locks.
 */

export type LockResult<T> = { ran: true; value: T } | { ran: false };

/** `wait` blocks until the lock is free (migrations); `try` gives up at once (jobs). */
export type LockMode = 'wait' | 'try';

export async function withSessionLock<T>(
  url: string,
  options: Options<{}>,
  key: string,
  mode: LockMode,
  fn: (signal: AbortSignal) => Promise<T>,
  log: Logger,
): Promise<LockResult<T>> {
  const lost = new AbortController();
  const sql = postgres(url, {
    ...options,
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    // The session, and with it the lock, is gone: tell the holder so it can stop early.
    onclose: () => lost.abort(new Error(`advisory lock ${key} lost with its connection`)),
  });

  try {
    const locked = await guard(`lock ${key}`, async () => {
      if (mode === 'wait') {
        await sql`select pg_advisory_lock(hashtextextended(${key}, 0))`;
        return true;
      }
      const [row] = await sql`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as ok`;
      return row?.ok === true;
    });
    if (!locked) return { ran: false };
    if (lost.signal.aborted) throw lost.signal.reason;
    return { ran: true, value: await fn(lost.signal) };
  } finally {
    // Ending the session releases the lock; a failure here means the server already dropped it.
    await sql.end({ timeout: 5 }).catch((err: unknown) => log.debug({ err, key }, 'lock end'));
  }
}
