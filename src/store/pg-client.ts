import postgres, { type Options, type Sql, type TransactionSql } from 'postgres';
import { isUnavailable } from './errors.js';

/**
 * The postgres.js pool, with transactions made safe against a connection that dies mid-way.
 *
 * postgres.js 3.4.10 writes to a closed connection on a later tick and throws an uncaught
 * TypeError from a setImmediate callback, which kills the process (porsager/postgres issues
 * #1154 and #1208, unfixed in 3.4.10). Inside `sql.begin` two paths lead there:
 *   1. a query fails because the connection closed; `begin` then sends ROLLBACK on that closed
 *      connection;
 *   2. the transaction sends another statement after the connection closed.
 * Case C24 terminates every connection under traffic, so both happen. The wrapper below:
 *   - refuses new statements in a transaction once any pool connection has closed since it
 *     began (the pool keeps connections open otherwise: no idle timeout, no maximum lifetime,
 *     so a close means a failure); the refusal is an ordinary CONNECTION_CLOSED error;
 *   - when the transaction's work fails with a connection error, waits for `begin` to report
 *     its own connection closed, and then never settles the callback, so `begin` sends neither
 *     ROLLBACK nor COMMIT (the server rolled back already). If `begin` does not report a close
 *     within a few seconds the connection is alive and the error is rethrown, which rolls back.
 */

/** How long a failed transaction waits for its connection's close before rolling back (ms). */
const CLOSE_WAIT_MS = 5_000;

export interface PgPool {
  /** The raw pool, for plain queries. */
  sql: Sql;
  /** The same pool with guarded transactions: the client to hand to drizzle. */
  client: Sql;
}

function closedError(): Error {
  const err = new Error('connection closed while the transaction was open; rolled back');
  return Object.assign(err, { code: 'CONNECTION_CLOSED' });
}

/** A rejected query look-alike: drizzle calls `.values()` on what `unsafe` returns. */
function rejectedQuery() {
  const failed = Promise.reject(closedError());
  failed.catch(() => undefined);
  return Object.assign(failed, { values: () => failed, execute: () => failed });
}

function guardTransactionSql(tx: TransactionSql, isSuspect: () => boolean): TransactionSql {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'unsafe' && prop !== 'savepoint') return value;
      return (...args: unknown[]) =>
        isSuspect() ? rejectedQuery() : (value as (...a: unknown[]) => unknown)(...args);
    },
    apply(target, thisArg, args) {
      return isSuspect() ? rejectedQuery() : Reflect.apply(target, thisArg, args);
    },
  });
}

export function createPgPool(url: string, options: Options<{}>): PgPool {
  let closes = 0;
  const sql = postgres(url, {
    ...options,
    idle_timeout: 0,
    max_lifetime: null,
    onclose: () => void closes++,
  });

  type Callback = (tx: TransactionSql) => unknown;

  function begin(...args: unknown[]) {
    const fn = args.pop() as Callback;
    const mode = (args[0] as string | undefined) ?? '';
    const startedAt = closes;
    let reportClosed!: () => void;
    const settled = new Promise<void>((resolve) => (reportClosed = resolve));

    const result = sql.begin(mode, async (tx) => {
      try {
        return await fn(guardTransactionSql(tx, () => closes !== startedAt));
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        let timer: NodeJS.Timeout | undefined;
        const closed = await Promise.race([
          settled.then(() => true),
          new Promise<boolean>(
            (resolve) => (timer = setTimeout(() => resolve(false), CLOSE_WAIT_MS)),
          ),
        ]);
        clearTimeout(timer);
        // Left pending on purpose: settling would make postgres.js write to the dead socket.
        if (closed) return new Promise<never>(() => undefined);
        throw err;
      }
    });
    // While the callback runs, `begin` settles only if its connection closed.
    result.then(reportClosed, reportClosed);
    return result;
  }

  const client = new Proxy(sql, {
    get(target, prop, receiver) {
      return prop === 'begin' ? begin : Reflect.get(target, prop, receiver);
    },
  });
  return { sql, client };
}
