import { fileURLToPath } from 'node:url';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Options } from 'postgres';
import type { Logger } from '../core/log.js';
import type * as schema from './schema.js';
import { withSessionLock } from './session-lock.js';

/**
 * Applies the SQL files drizzle-kit wrote into migrations/ with drizzle's migrator, which records
 * each applied file in drizzle.__drizzle_migrations and skips it next time.
 */

/** migrations/ at the repository root, found from this file so the working directory is free. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Advisory lock key reserved for migrations (a fixed text, hashed by the server to a bigint). */
export const MIGRATION_LOCK_KEY = 'parley:migrate';

export async function migrateEmbedded(db: PgliteDatabase<typeof schema>): Promise<void> {
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

/**
 * On a real server several instances may start at once. Each takes a session-level advisory lock
 * on a connection of its own and holds it while the migrator runs on the pool; the others wait on
 * the lock and then find every file applied. Should the holder die, its connection closes and the
 * server drops the lock, so a crashed start never blocks the next one.
 */
export async function migrateServer(
  url: string,
  options: Options<{}>,
  db: PostgresJsDatabase<typeof schema>,
  log: Logger,
): Promise<void> {
  const started = performance.now();
  await withSessionLock(
    url,
    options,
    MIGRATION_LOCK_KEY,
    'wait',
    async () => {
      log.debug({ waitedMs: Math.round(performance.now() - started) }, 'migration lock taken');
      await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    log,
  );
}
