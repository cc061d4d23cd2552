import type { Logger } from '../core/log.js';
import { isParleyError } from '../core/errors.js';

/**
 * A write-behind queue for store writes (case C24): replies never wait on the database. Writes
 * run one at a time in the order they were queued (a feedback row after the message it refers
 * to); a write that fails because the database is unreachable stays at the head and is retried
 * with backoff until the database answers again, then the backlog drains.
 *
 * Writes must be idempotent: a write whose connection died after commit is retried, and must
 * then change nothing.
 *
 * The queue lives in memory: writes still queued when the process is killed are lost (SIGTERM
 * flushes first; see app.ts). `maxPending` bounds the memory an outage can use.
 */

export interface WriteQueueOptions {
  logger: Logger;
  /** First retry delay, ms; doubles on each failure up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Writes kept while the database is away; beyond it new writes are refused. */
  maxPending?: number;
  /** Attempts for an error that does not look like a lost connection (a bug, a constraint). */
  maxAttemptsOnOtherErrors?: number;
  /** One attempt is abandoned (and retried) after this long, ms. */
  attemptTimeoutMs?: number;
}

export interface Enqueued {
  /** False when the queue is full and the write was refused. */
  accepted: boolean;
  /** Settles true once stored, false when given up (never rejects). */
  done: Promise<boolean>;
}

export interface WriteQueue {
  enqueue(label: string, write: () => Promise<void>): Enqueued;
  /** Writes waiting or running. */
  readonly pending: number;
  /** False while the head write is failing for lack of a database. */
  readonly healthy: boolean;
  /** Waits until the queue is empty or `timeoutMs` passed; true when empty. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Stops retrying; queued writes are dropped (and reported as given up). */
  close(): void;
}

interface Job {
  label: string;
  write: () => Promise<void>;
  settle: (stored: boolean) => void;
  attempts: number;
}

const DEFAULTS = {
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  maxPending: 10_000,
  maxAttemptsOnOtherErrors: 3,
  attemptTimeoutMs: 10_000,
};

export function createWriteQueue(options: WriteQueueOptions): WriteQueue {
  const settings = { ...DEFAULTS, ...options };
  const log = options.logger;
  const jobs: Job[] = [];
  const idleWaiters = new Set<() => void>();
  let running = false;
  let closed = false;
  let outageSince: number | undefined;
  let delay = settings.initialDelayMs;
  let timer: NodeJS.Timeout | undefined;

  function enqueue(label: string, write: () => Promise<void>): Enqueued {
    if (closed || jobs.length >= settings.maxPending) {
      log.error({ label, pending: jobs.length }, 'store write refused: write queue is full');
      return { accepted: false, done: Promise.resolve(false) };
    }
    let settle!: (stored: boolean) => void;
    const done = new Promise<boolean>((resolve) => (settle = resolve));
    jobs.push({ label, write, settle, attempts: 0 });
    if (!running && timer === undefined) void pump();
    return { accepted: true, done };
  }

  async function pump(): Promise<void> {
    running = true;
    while (jobs.length > 0 && !closed) {
      const job = jobs[0];
      const outcome = await attempt(job);
      if (outcome === 'retry') {
        running = false;
        timer = setTimeout(() => {
          timer = undefined;
          void pump();
        }, delay);
        delay = Math.min(delay * 2, settings.maxDelayMs);
        return;
      }
      jobs.shift();
      job.settle(outcome === 'stored');
    }
    running = false;
    if (jobs.length === 0) for (const wake of idleWaiters) wake();
  }

  async function attempt(job: Job): Promise<'stored' | 'dropped' | 'retry'> {
    job.attempts += 1;
    try {
      await withTimeout(job.write(), settings.attemptTimeoutMs);
      recovered();
      return 'stored';
    } catch (err) {
      if (isTransientStoreError(err)) {
        enterOutage(job, err);
        return 'retry';
      }
      if (job.attempts < settings.maxAttemptsOnOtherErrors) {
        log.warn(
          { label: job.label, attempt: job.attempts, err: errorSummary(err) },
          'store write failed; retrying',
        );
        return 'retry';
      }
      log.error(
        { label: job.label, attempts: job.attempts, err: errorSummary(err) },
        'store write dropped after repeated failures',
      );
      return 'dropped';
    }
  }

  function enterOutage(job: Job, err: unknown): void {
    if (outageSince === undefined) {
      outageSince = Date.now();
      log.warn(
        { label: job.label, pending: jobs.length, err: errorSummary(err) },
        'database unreachable: replies continue, store writes are queued and retried',
      );
    } else {
      log.debug(
        { label: job.label, pending: jobs.length, attempt: job.attempts },
        'store write retry failed',
      );
    }
  }

  function recovered(): void {
    delay = settings.initialDelayMs;
    if (outageSince === undefined) return;
    const downMs = Date.now() - outageSince;
    outageSince = undefined;
    log.info(
      { downMs, pending: jobs.length - 1 },
      'database reachable again: flushing queued writes',
    );
  }

  async function flush(timeoutMs: number): Promise<boolean> {
    if (jobs.length === 0) return true;
    let wake!: () => void;
    const idle = new Promise<void>((resolve) => (wake = resolve));
    idleWaiters.add(wake);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([idle, timeout]);
    idleWaiters.delete(wake);
    return jobs.length === 0;
  }

  function close(): void {
    closed = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (jobs.length > 0)
      log.error({ lost: jobs.length }, 'write queue closed with writes not stored');
    for (const job of jobs.splice(0)) job.settle(false);
  }

  return {
    enqueue,
    get pending() {
      return jobs.length;
    },
    get healthy() {
      return outageSince === undefined;
    },
    flush,
    close,
  };
}

/** Rejects with a timeout error (counted as transient) when `work` takes longer than `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeoutError(ms)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class StoreTimeoutError extends Error {
  readonly code = 'STORE_TIMEOUT';
  constructor(ms: number) {
    super(`store did not answer within ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

// Connection-level failures: the write may succeed once the database is back.
const TRANSIENT_CODES = new Set([
  'STORE_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  // postgres.js connection states
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  // SQLSTATE: admin shutdown (pg_terminate_backend), crash shutdown, cannot connect now,
  // too many connections, serialization failure, deadlock
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '40001',
  '40P01',
]);

/** True when an error (or one of its causes) says the database is unreachable for now. */
export function isTransientStoreError(err: unknown): boolean {
  for (let cur: unknown = err, depth = 0; cur && depth < 6; depth += 1) {
    if (isParleyError(cur, 'STORE_UNAVAILABLE')) return true;
    const code = (cur as { code?: unknown }).code;
    // SQLSTATE class 08 is "connection exception".
    if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || /^08/.test(code))) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Name and code of an error and its causes, for logs. Driver errors carry the query and its
 * parameters in their message, and parameters are customer text, so messages are left out.
 */
export function errorSummary(err: unknown): { name: string; code?: string }[] {
  const chain: { name: string; code?: string }[] = [];
  for (let cur: unknown = err, depth = 0; cur && depth < 6; depth += 1) {
    const { name, code } = cur as { name?: unknown; code?: unknown };
    chain.push({
      name: typeof name === 'string' ? name : typeof cur,
      code: code === undefined ? undefined : String(code),
    });
    cur = (cur as { cause?: unknown }).cause;
  }
  return chain;
}
