import { ParleyError } from '../core/errors.js';

/**
 * The store's error boundary. Driver errors (postgres.js, PGlite, drizzle's DrizzleQueryError,
 * whose message carries the query parameters and so customer text) are wrapped once here into a
 * ParleyError with a stable code and a message that names the operation, never the parameters.
 */

/** postgres.js and Node socket codes that mean "the server is not there (right now)". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/**
 * SQLSTATEs that mean the same: class 08 (connection exception), 57P01..57P03 (the server is
 * shutting down, crashed, or not accepting connections yet), 53300 (too many connections).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code);
}

const UNIQUE_VIOLATION = '23505';

/** The innermost error that carries a code (drizzle wraps the driver's error in `cause`). */
function rootCause(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5; depth++) {
    const code = (current as { code?: unknown } | null)?.code;
    if (typeof code === 'string') return current;
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (cause === undefined) return current;
    current = cause;
  }
  return current;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True when `err` means the database could not be reached or dropped the connection. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof ParleyError) return err.code === 'STORE_UNAVAILABLE';
  const cause = rootCause(err);
  const code = codeOf(cause);
  if (code !== undefined && (CONNECTION_CODES.has(code) || isUnavailableSqlState(code))) {
    return true;
  }
  // PGlite after close() throws a plain Error with this text; there is no code to match.
  return /PGlite is closed/i.test(messageOf(cause));
}

/** Wraps a driver error once: STORE_UNAVAILABLE, CONFLICT, or STORE_QUERY_FAILED. */
export function toStoreError(err: unknown, op: string): ParleyError {
  if (err instanceof ParleyError) return err;
  const cause = rootCause(err);
  const code = codeOf(cause) ?? 'unknown';

  if (isUnavailable(err)) {
    return new ParleyError(
      'STORE_UNAVAILABLE',
      `store unavailable during ${op}: ${code}; the database cannot be reached, retry when it is back`,
      { cause: withoutParameters(cause) },
    );
  }
  // The server's own message names the constraint and never the values (those are in `detail`).
  const serverMessage = code === 'unknown' ? 'unexpected error' : messageOf(cause);
  if (code === UNIQUE_VIOLATION) {
    return new ParleyError('CONFLICT', `${op}: ${serverMessage}`, {
      cause: withoutParameters(cause),
    });
  }
  return new ParleyError('STORE_QUERY_FAILED', `${op} failed: ${serverMessage} (${code})`, {
    cause: withoutParameters(cause),
  });
}

/**
 * The driver's error reduced to its message and code. drizzle's wrapper (and postgres.js in debug
 * mode) carry the query parameters, which hold customer text and artifact bytes; a logged cause
 * must not.
 */
function withoutParameters(cause: unknown): Error {
  const message = /^Failed query:/.test(messageOf(cause)) ? 'query failed' : messageOf(cause);
  return Object.assign(new Error(message), { code: codeOf(cause) });
}

export interface GuardOptions {
  /**
   * Attempts after the first when the connection failed. Only for operations that are safe to
   * run twice (reads, and writes that set a value by key): a write whose reply was lost may
   * have been applied.
   */
  retries?: number;
  /** Wait before the first retry, in milliseconds; doubled for each further retry. */
  retryDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one store operation and wraps its failure. Retries connection failures of idempotent
 * operations: after the server terminates a pooled connection the client learns of it a moment
 * later, so the first query can still be handed the dead connection.
 */
export async function guard<T>(
  op: string,
  fn: () => Promise<T>,
  opts: GuardOptions = {},
): Promise<T> {
  const retries = opts.retries ?? 0;
  let delay = opts.retryDelayMs ?? 50;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= retries || !isUnavailable(err)) throw toStoreError(err, op);
      await sleep(delay);
      delay *= 2;
    }
  }
}

/** Options for read-only and set-by-key operations: two retries, 50 then 100 ms apart. */
export const IDEMPOTENT: GuardOptions = { retries: 2, retryDelayMs: 50 };
