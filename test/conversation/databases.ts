import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openStore, type Store } from '../../src/store/store.js';
import { silentLogger } from './doubles.js';

/**
 * Real stores for the conversation suites: PGlite always, and a real server when
 * PARLEY_TEST_DATABASE_URL is set (CI sets it). Each server store gets a database of its own,
 * dropped at the end, so suites running in parallel never meet.
 */
export const SERVER_URL = process.env.PARLEY_TEST_DATABASE_URL;

export type StoreKind = 'pglite' | 'postgres';
export const STORE_KINDS: StoreKind[] = SERVER_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestStore {
  store: Store;
  /** The server database name (postgres only). */
  database?: string;
  url?: string;
  cleanup(): Promise<void>;
}

let counter = 0;

export async function openTestStore(kind: StoreKind, label: string): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), `parley-${label}-`));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'pglite') {
    const store = await openStore({ dataDir, logger: silentLogger });
    return { store, cleanup: async () => (await store.close(), removeDir()) };
  }

  const admin = postgres(SERVER_URL!, { max: 1, onnotice: () => undefined });
  const database = `parley_conv_${label}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  await admin.unsafe(`create database "${database}"`);
  const url = new URL(SERVER_URL!);
  url.pathname = `/${database}`;
  const store = await openStore({ dataDir, databaseUrl: url.toString(), logger: silentLogger });
  return {
    store,
    database,
    url: url.toString(),
    cleanup: async () => {
      await store.close().catch(() => undefined);
      await admin.unsafe(`drop database if exists "${database}" with (force)`);
      await admin.end();
      removeDir();
    },
  };
}

/** An empty database of its own on the test server, for a whole app (DATABASE_URL). */
export async function createServerDatabase(label: string): Promise<{
  name: string;
  url: string;
  drop(): Promise<void>;
}> {
  const admin = postgres(SERVER_URL!, { max: 1, onnotice: () => undefined });
  const name = `parley_conv_${label}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(SERVER_URL!);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
