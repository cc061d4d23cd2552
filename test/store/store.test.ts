import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { MIGRATIONS_FOLDER } from '../../src/store/migrate.js';
import type { Sql } from 'postgres';
import { guard } from '../../src/store/errors.js';
import { createModelVersionsRepo } from '../../src/store/model-versions-repo.js';
import { openStore, type Store } from '../../src/store/store.js';
import {
  adminClient,
  BACKENDS,
  captureLogger,
  createTestDatabase,
  deferred,
  SERVER_URL,
  terminateAll,
  rawRows,
  rowsOf,
  setUpBackend,
  tempDir,
  waitFor,
  type Backend,
} from './harness.js';
import { createTcpProxy, viaProxy, type TcpProxy } from './tcp-proxy.js';

const TABLES = [
  'admin_audit',
  'conversations',
  'feedback',
  'messages',
  'model_versions',
  'predictions',
  'processed_messages',
  'training_examples',
  'training_runs',
];

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
  entries: unknown[];
};

async function appliedMigrations(store: Store): Promise<number> {
  const [row] = await rawRows<{ n: number }>(
    store,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return row.n;
}

describe.each(BACKENDS)('store on %s', (kind) => {
  let backend: Backend;
  let store: Store;

  beforeAll(async () => {
    backend = await setUpBackend(kind, 'core');
    store = await backend.open();
  });

  afterAll(async () => {
    await store?.close();
    await backend?.cleanup();
  });

  it('applies every migration to an empty database', async () => {
    const [version] = await rawRows<{ v: number }>(
      store,
      sql`select current_setting('server_version_num')::int as v`,
    );
    // PGlite 0.5 embeds Postgres 18; the CI server is Postgres 15. Both must take the same files.
    expect(version.v).toBeGreaterThanOrEqual(kind === 'pglite' ? 180000 : 150000);

    const tables = await rawRows<{ table_name: string }>(
      store,
      sql`select table_name from information_schema.tables
          where table_schema = 'public' order by table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(TABLES);
    expect(await appliedMigrations(store)).toBe(journal.entries.length);
  });

  it('reports its driver and answers a ping', async () => {
    expect(store.kind).toBe(kind);
    expect(await store.ping()).toBe(true);
  });

  it('runs a locked function only while no one else holds the key', async () => {
    const release = deferred();
    const entered = deferred();
    const holder = store.tryWithLock('retrain', async () => {
      entered.resolve();
      await release.promise;
      return 'first';
    });
    await entered.promise;

    expect(await store.tryWithLock('retrain', async () => 'second')).toEqual({ ran: false });
    expect(await store.tryWithLock('other', async () => 'other')).toEqual({
      ran: true,
      value: 'other',
    });

    release.resolve();
    expect(await holder).toEqual({ ran: true, value: 'first' });
    expect(await store.tryWithLock('retrain', async () => 'third')).toEqual({
      ran: true,
      value: 'third',
    });
  });

  it('releases the lock when the locked function throws', async () => {
    await expect(
      store.tryWithLock('boom', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.tryWithLock('boom', async () => 1)).toEqual({ ran: true, value: 1 });
  });

  it('delivers notifications to listeners until they unsubscribe', async () => {
    const seen: string[] = [];
    const unlisten = await store.listen('parley_test_a', (payload) => seen.push(payload));
    const first = waitFor<string>(5_000, 'first notification', (done) =>
      store.listen('parley_test_a', done),
    );
    await store.notify('parley_test_a', 'hello');
    expect(await first).toBe('hello');
    expect(seen).toEqual(['hello']);

    // Notifications arrive in order on one connection: once the marker on another channel is
    // in, the one sent before it on the unsubscribed channel would have been too.
    await unlisten();
    let subscribed!: Promise<unknown>;
    const marker = waitFor<string>(5_000, 'marker', (done) => {
      subscribed = store.listen('parley_test_b', done);
    });
    await subscribed; // a NOTIFY sent before LISTEN is in place is not delivered
    await store.notify('parley_test_a', 'after unlisten');
    await store.notify('parley_test_b', 'marker');
    expect(await marker).toBe('marker');
    expect(seen).toEqual(['hello']);
  });

  // The embedded store's folder has one owner; registered for PGlite only.
  if (kind === 'pglite') {
    it('refuses a second owner of its folder in the same process', async () => {
      const error = await openStore({ dataDir: backend.dataDir }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isParleyError(error, 'STORE_LOCKED')).toBe(true);
      expect((error as Error).message).toContain(`pid ${process.pid}`);
      expect(readFileSync(join(backend.dataDir, 'owner.lock'), 'utf8').trim()).toBe(
        String(process.pid),
      );
    });

    it('refuses a folder owned by another live process, naming the folder and its pid', async () => {
      const dataDir = tempDir('owned');
      const other = spawn('sleep', ['60'], { stdio: 'ignore' });
      try {
        writeFileSync(join(dataDir, 'owner.lock'), `${other.pid}\n`);
        const error = await openStore({ dataDir }).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(isParleyError(error, 'STORE_LOCKED')).toBe(true);
        expect((error as Error).message).toContain(dataDir);
        expect((error as Error).message).toContain(`pid ${other.pid}`);
      } finally {
        other.kill();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});

// Real-server behaviour: registered only when PARLEY_TEST_DATABASE_URL gives a server.
describe.each(BACKENDS.filter((kind) => kind === 'postgres'))('store on a real %s server', () => {
  let backend: Backend;
  let admin: Sql;

  beforeAll(async () => {
    backend = await setUpBackend('postgres', 'server');
    admin = adminClient();
  });

  afterAll(async () => {
    await admin?.end();
    await backend?.cleanup();
  });

  it('migrates once when several instances start at once', async () => {
    const database = await createTestDatabase(admin, 'race');
    try {
      const stores = await Promise.all(
        [1, 2, 3, 4].map(() => openStore({ dataDir: backend.dataDir, databaseUrl: database.url })),
      );
      expect(await appliedMigrations(stores[0])).toBe(journal.entries.length);
      await Promise.all(stores.map((store) => store.close()));
    } finally {
      await database.drop();
    }
  });

  it('keeps a lock from a second instance and frees it when the holder connection dies', async () => {
    const [first, second] = await Promise.all([backend.open(), backend.open()]);
    const release = deferred();
    const entered = deferred();
    let lockSignal: AbortSignal | undefined;
    const holder = first.tryWithLock('retrain', async (signal) => {
      lockSignal = signal;
      entered.resolve();
      await release.promise;
      return 'held';
    });
    await entered.promise;
    expect(await second.tryWithLock('retrain', async () => 'stolen')).toEqual({ ran: false });

    const holders = await admin`
      select pid from pg_locks
      where locktype = 'advisory'
        and database = (select oid from pg_database where datname = ${backend.database!.name})`;
    expect(holders).toHaveLength(1);
    expect(lockSignal?.aborted).toBe(false);
    const lost = waitFor<void>(5_000, 'lock lost signal', (done) =>
      lockSignal!.addEventListener('abort', () => done()),
    );
    await admin`select pg_terminate_backend(${holders[0].pid}::int, 5000)`;
    await lost;

    expect(await second.tryWithLock('retrain', async () => 'after')).toEqual({
      ran: true,
      value: 'after',
    });
    release.resolve();
    expect(await holder).toEqual({ ran: true, value: 'held' });
    expect(await first.ping()).toBe(true);
    await Promise.all([first.close(), second.close()]);
  });

  it('answers again after every one of its connections is terminated', async () => {
    const store = await backend.open();
    const resubscribed = deferred();
    const heard: string[] = [];
    await store.listen('parley_test_recover', (payload) => heard.push(payload), {
      onResubscribe: () => resubscribed.resolve(),
    });
    // Open several pooled connections so more than one dies.
    await Promise.all([1, 2, 3].map(() => store.db.execute(sql`select pg_sleep(0.05)`)));

    expect(await terminateAll(admin, backend.database!.name)).toBeGreaterThanOrEqual(4);
    const repo = createModelVersionsRepo(store);
    expect(await repo.activeVersion()).toBeUndefined();
    expect(await store.ping()).toBe(true);

    await resubscribed.promise;
    const next = waitFor<string>(5_000, 'notification after recovery', (done) =>
      store.listen('parley_test_recover', done),
    );
    await store.notify('parley_test_recover', 'back');
    expect(await next).toBe('back');
    expect(heard).toEqual(['back']);
    await store.close();
  });

  it('fails a transaction whose connection is terminated mid-query, and stays up', async () => {
    const store = await backend.open();
    const error = await guard('test.transaction', () =>
      store.db.transaction(async (tx) => {
        const [row] = await rowsOf<{ pid: number }>(
          await tx.execute(sql`select pg_backend_pid() as pid`),
        );
        // postgres.js queries are lazy: execute() sends it while the sleep below is in flight.
        setTimeout(() => void admin`select pg_terminate_backend(${row.pid}::int)`.execute(), 50);
        await tx.execute(sql`select pg_sleep(5)`);
      }),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isParleyError(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect(await store.ping()).toBe(true);
    await store.close();
  });

  it('refuses a statement sent after the transaction lost its connection', async () => {
    const store = await backend.open();
    const error = await guard('test.transaction', () =>
      store.db.transaction(async (tx) => {
        const [row] = await rowsOf<{ pid: number }>(
          await tx.execute(sql`select pg_backend_pid() as pid`),
        );
        await admin`select pg_terminate_backend(${row.pid}::int, 5000)`;
        await tx.execute(sql`select 1`);
      }),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isParleyError(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect(await store.ping()).toBe(true);
    await store.close();
  });

  describe('behind a relay that goes down', () => {
    let proxy: TcpProxy;

    beforeAll(async () => {
      proxy = await createTcpProxy({ host: '127.0.0.1', port: Number(new URL(SERVER_URL!).port) });
    });

    afterAll(async () => {
      await proxy?.close();
    });

    it('waits at start for a database that is down, then opens', async () => {
      await proxy.down();
      const capture = captureLogger();
      void capture.next('database not reachable yet; retrying').then(() => proxy.up());
      const store = await openStore({
        dataDir: backend.dataDir,
        databaseUrl: viaProxy(backend.database!.url, proxy),
        closeTimeoutMs: 500,
        logger: capture.logger,
        waitForDatabaseMs: 20_000,
      });
      expect(await store.ping()).toBe(true);
      await store.close();
    });

    it('gives up at start with STORE_UNAVAILABLE when the wait runs out', async () => {
      await proxy.down();
      const error = await openStore({
        dataDir: backend.dataDir,
        databaseUrl: viaProxy(backend.database!.url, proxy),
        closeTimeoutMs: 500,
        waitForDatabaseMs: 0,
      }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isParleyError(error, 'STORE_UNAVAILABLE')).toBe(true);
    });

    it('fails queries with STORE_UNAVAILABLE while away and recovers without a restart', async () => {
      await proxy.up();
      const capture = captureLogger();
      const store = await openStore({
        dataDir: backend.dataDir,
        databaseUrl: viaProxy(backend.database!.url, proxy),
        closeTimeoutMs: 500,
        logger: capture.logger,
      });
      const resubscribed = deferred();
      await store.listen('parley_test_relay', () => undefined, {
        onResubscribe: () => resubscribed.resolve(),
      });
      const repo = createModelVersionsRepo(store);
      expect(await repo.activeVersion()).toBeUndefined();

      await proxy.down();
      const error = await repo.activeVersion().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isParleyError(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect(await store.ping()).toBe(false);

      await proxy.up();
      expect(await repo.activeVersion()).toBeUndefined();
      await resubscribed.promise;
      const heard = waitFor<string>(5_000, 'notification through the relay', (done) =>
        store.listen('parley_test_relay', done),
      );
      await store.notify('parley_test_relay', 'through');
      expect(await heard).toBe('through');
      await store.close();
    });
  });
});
