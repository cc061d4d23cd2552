import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQL } from 'drizzle-orm';
import { pino } from 'pino';
import postgres, { type Sql } from 'postgres';
import { openStore, type OpenStoreOptions, type Store } from '../../src/store/store.js';

/**
 * The store suite runs against PGlite always and against a real server when
 * PARLEY_TEST_DATABASE_URL is set (CI sets it). Each test file creates its own database from that
 * URL and drops it at the end, so runs (and files running in parallel) never collide.
 */

export const SERVER_URL = process.env.PARLEY_TEST_DATABASE_URL;

export type BackendKind = 'pglite' | 'postgres';

export const BACKENDS: BackendKind[] = SERVER_URL ? ['pglite', 'postgres'] : ['pglite'];

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `parley-${label}-`));
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A connection to the server's maintenance database (the URL's own), for admin statements. */
export function adminClient(): Sql {
  if (!SERVER_URL) throw new Error('PARLEY_TEST_DATABASE_URL is not set');
  return postgres(SERVER_URL, { max: 2, onnotice: () => undefined });
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

let counter = 0;

/** A fresh, empty database on the test server; `drop()` removes it even with open connections. */
export async function createTestDatabase(admin: Sql, label: string): Promise<TestDatabase> {
  const suffix = `${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const name = `parley_store_${label}_${suffix}`;
  await admin.unsafe(`create database "${name}"`);
  return {
    name,
    url: withDatabase(SERVER_URL!, name),
    drop: async () => void (await admin.unsafe(`drop database if exists "${name}" with (force)`)),
  };
}

/** One backend for a test file: the store factory and its cleanup. */
export interface Backend {
  kind: BackendKind;
  /** The server database (postgres only). */
  database?: TestDatabase;
  dataDir: string;
  open(extra?: Partial<OpenStoreOptions>): Promise<Store>;
  cleanup(): Promise<void>;
}

export async function setUpBackend(kind: BackendKind, label: string): Promise<Backend> {
  const dataDir = tempDir(label);
  if (kind === 'pglite') {
    return {
      kind,
      dataDir,
      open: (extra) => openStore({ dataDir, ...extra }),
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const admin = adminClient();
  const database = await createTestDatabase(admin, label);
  return {
    kind,
    database,
    dataDir,
    // Short close: tests cut connections on purpose, and a cut one holds close() this long.
    open: (extra) =>
      openStore({ dataDir, databaseUrl: database.url, closeTimeoutMs: 500, ...extra }),
    cleanup: async () => {
      await database.drop();
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A promise with its resolve function, for holding a callback open until the test says so. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves with the first value `next` delivers, or rejects after `ms`. */
export function waitFor<T>(ms: number, what: string, subscribe: (done: (v: T) => void) => void) {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Terminates every backend of `database` except the caller's, waiting until each is gone. */
export async function terminateAll(admin: Sql, database: string): Promise<number> {
  const rows = await admin`
    select pg_terminate_backend(pid, 5000) as gone from pg_stat_activity
    where datname = ${database} and pid <> pg_backend_pid()`;
  return rows.length;
}

/** Rows of a raw query on either driver (postgres.js returns an array, PGlite `{ rows }`). */
export async function rawRows<T>(store: Store, query: SQL): Promise<T[]> {
  return rowsOf<T>(await store.db.execute(query));
}

export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A pino logger whose lines the test can watch, to act on an event instead of sleeping. */
export function captureLogger() {
  const watchers: { msg: string; done: () => void }[] = [];
  const messages: string[] = [];
  const stream = {
    write(line: string) {
      const { msg } = JSON.parse(line) as { msg: string };
      messages.push(msg);
      for (const watcher of watchers.filter((w) => w.msg === msg)) watcher.done();
    },
  };
  return {
    logger: pino({ level: 'debug' }, stream),
    messages,
    /** Resolves the next time a line with exactly this message is logged. */
    next(msg: string, ms = 15_000) {
      return waitFor<void>(ms, `log line "${msg}"`, (done) => watchers.push({ msg, done }));
    },
  };
}
