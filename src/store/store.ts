import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { Options, Sql } from 'postgres';
import { ParleyError } from '../core/errors.js';
import { logger as componentLogger, type Logger } from '../core/log.js';
import { guard, IDEMPOTENT, isUnavailable, toStoreError } from './errors.js';
import { migrateEmbedded, migrateServer } from './migrate.js';
import { createPgPool } from './pg-client.js';
import { acquireOwnerLock, type OwnerLock } from './owner-lock.js';
import {
  createPgListener,
  type ListenOptions,
  type NotifyHandler,
  type PgListener,
} from './pg-listener.js';
import * as schema from './schema.js';
import { withSessionLock, type LockResult } from './session-lock.js';

/**
 * The database behind Parley: PGlite (Postgres compiled to WASM) in a local folder by default, a
 * real Postgres server through postgres.js when a URL is given. Repositories are written once
 * against `Store.db`, whose type is the driver-neutral drizzle database.
 */

/** The drizzle database both drivers provide; repository code uses only this type. */
export type StoreDb = PgDatabase<PgQueryResultHKT, typeof schema>;

export type { LockResult };

export interface Store {
  readonly kind: 'pglite' | 'postgres';
  readonly db: StoreDb;
  /** Where the data lives, for logs: a folder, or host:port/database (never a password). */
  readonly location: string;
  readonly log: Logger;
  /** True when a trivial query answers; never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /**
   * Runs `fn` only if no one else (any instance on a real server) holds `key`; otherwise returns
   * `{ ran: false }` at once. On a server the lock is a session-level advisory lock on a connection
   * of its own: an instance that dies drops its connection and with it the lock. `signal` aborts
   * if that connection is lost while `fn` runs (another instance may then take the key).
   */
  tryWithLock<T>(key: string, fn: (signal: AbortSignal) => Promise<T>): Promise<LockResult<T>>;
  /**
   * Subscribes to a channel; resolves to the unsubscribe function. On a server the subscription
   * survives lost connections (it is re-issued until the server answers) and `onResubscribe`
   * then fires, since notifications sent meanwhile are lost; on PGlite it never fires.
   */
  listen(
    channel: string,
    handler: NotifyHandler,
    opts?: ListenOptions,
  ): Promise<() => Promise<void>>;
  /** Sends `payload` (under 8000 bytes, the server's limit) to every listener of `channel`. */
  notify(channel: string, payload: string): Promise<void>;
}

export interface OpenStoreOptions {
  /** postgres:// URL of a real server; unset means PGlite in `dataDir`. */
  databaseUrl?: string;
  /** Folder for the embedded database (created when missing). */
  dataDir: string;
  logger?: Logger;
  /** How long to keep retrying a server that does not answer at start (ms). Default 0: once. */
  waitForDatabaseMs?: number;
  /** Connections in the postgres.js pool (default 10). */
  poolSize?: number;
  /**
   * How long close() lets in-flight queries finish before cutting connections (ms, default
   * 5000). A connection that died with a query on it also holds close() this long.
   */
  closeTimeoutMs?: number;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const log = options.logger ?? componentLogger('store');
  return options.databaseUrl
    ? openServerStore(options.databaseUrl, options, log)
    : openEmbeddedStore(options.dataDir, log);
}

// ---------------------------------------------------------------------------------------------
// PGlite

/** The PGlite cluster lives in a subfolder, so the owner lock beside it never meets initdb. */
const PGLITE_SUBDIR = 'pglite';

async function openEmbeddedStore(dataDir: string, log: Logger): Promise<Store> {
  const folder = resolve(dataDir);
  mkdirSync(folder, { recursive: true });
  const lock = acquireOwnerLock(folder);

  let client: PGlite;
  try {
    client = await PGlite.create(join(folder, PGLITE_SUBDIR));
  } catch (err) {
    lock.release();
    throw new ParleyError('STORE_UNAVAILABLE', `cannot open PGlite in ${folder}: ${String(err)}`, {
      cause: err,
    });
  }

  const db = drizzlePglite({ client, schema });
  try {
    await guard('migrate', () => migrateEmbedded(db));
  } catch (err) {
    await client.close().catch(() => undefined);
    lock.release();
    throw err;
  }
  log.info({ dataDir: folder }, 'store open (PGlite)');
  return embeddedStore(client, db, folder, lock, log);
}

function embeddedStore(
  client: PGlite,
  db: StoreDb,
  folder: string,
  lock: OwnerLock,
  log: Logger,
): Store {
  // One process owns the folder, so an in-process mutex and emitter are the whole truth.
  const held = new Set<string>();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let closed = false;

  return {
    kind: 'pglite',
    db,
    location: folder,
    log,
    async ping() {
      if (closed) return false;
      return client.query('select 1').then(
        () => true,
        () => false,
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      events.removeAllListeners();
      await client.close();
      lock.release();
    },
    async tryWithLock(key, fn) {
      if (held.has(key)) return { ran: false };
      held.add(key);
      try {
        // One process owns the folder, so nothing can take the lock away: the signal never fires.
        return { ran: true, value: await fn(new AbortController().signal) };
      } finally {
        held.delete(key);
      }
    },
    async listen(channel, handler) {
      const wrapped = (payload: string) => handler(payload);
      events.on(channel, wrapped);
      return async () => void events.off(channel, wrapped);
    },
    async notify(channel, payload) {
      if (closed) throw toStoreError(new Error('PGlite is closed'), 'notify');
      // Delivered on a later tick, as a server would, so a handler never runs inside the caller.
      setImmediate(() => {
        for (const listener of events.listeners(channel)) {
          try {
            (listener as NotifyHandler)(payload);
          } catch (err) {
            log.error({ err, channel }, 'notification handler threw');
          }
        }
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Postgres server

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    throw new ParleyError('CONFIG_INVALID', 'DATABASE_URL is not a valid postgres:// URL');
  }
}

function clientOptions(log: Logger, poolSize?: number): Options<{}> {
  return {
    max: poolSize ?? 10,
    // Seconds. Fail a connection attempt to an unreachable host within a request's patience.
    connect_timeout: 5,
    onnotice: (notice) => log.debug({ notice: notice.message }, 'postgres notice'),
    connection: { application_name: 'parley' },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `select 1` with a capped exponential backoff until it answers or time runs out. */
async function waitForServer(sql: Sql, waitMs: number, where: string, log: Logger): Promise<void> {
  const deadline = Date.now() + waitMs;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`;
      if (attempt > 1) log.info({ attempt, where }, 'database is up');
      return;
    } catch (err) {
      if (!isUnavailable(err) || Date.now() + delay > deadline) throw toStoreError(err, 'connect');
      log.warn({ attempt, where, retryInMs: delay }, 'database not reachable yet; retrying');
      await sleep(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

async function openServerStore(url: string, options: OpenStoreOptions, log: Logger) {
  const where = describeUrl(url);
  const opts = clientOptions(log, options.poolSize);
  const { sql, client } = createPgPool(url, opts);
  const db = drizzlePostgres({ client, schema });

  try {
    await waitForServer(sql, options.waitForDatabaseMs ?? 0, where, log);
    await guard('migrate', () => migrateServer(url, opts, db, log));
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw err;
  }
  log.info({ database: where }, 'store open (postgres)');
  const closeTimeoutS = (options.closeTimeoutMs ?? 5_000) / 1000;
  return serverStore({ url, sql, db, opts, where, log, closeTimeoutS });
}

interface ServerParts {
  url: string;
  sql: Sql;
  db: StoreDb;
  opts: Options<{}>;
  where: string;
  log: Logger;
  /** postgres.js takes seconds. */
  closeTimeoutS: number;
}

function serverStore({ url, sql, db, opts, where, log, closeTimeoutS }: ServerParts): Store {
  let listener: PgListener | undefined;

  return {
    kind: 'postgres',
    db,
    location: where,
    log,
    async ping() {
      return guard('ping', () => sql`select 1`, IDEMPOTENT).then(
        () => true,
        () => false,
      );
    },
    async close() {
      await listener?.close(closeTimeoutS);
      listener = undefined;
      await sql.end({ timeout: closeTimeoutS });
    },
    tryWithLock: (key, fn) => withSessionLock(url, opts, `parley:${key}`, 'try', fn, log),
    async listen(channel, handler, listenOpts) {
      listener ??= createPgListener(url, opts, log);
      return listener.listen(channel, handler, listenOpts);
    },
    async notify(channel, payload) {
      await guard('notify', () => sql`select pg_notify(${channel}, ${payload})`);
    },
  };
}
