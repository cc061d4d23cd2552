import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ParleyError } from '../core/errors.js';

/**
 * One process owns a PGlite folder: two WASM Postgres instances writing the same files would
 * corrupt them. The owner holds `<dataDir>/owner.lock`, a file created exclusively that holds its
 * pid. A lock whose pid is no longer alive (a crash, a kill -9) is stale and is taken over.
 */

export interface OwnerLock {
  readonly path: string;
  release(): void;
}

const LOCK_FILE = 'owner.lock';

/** Whether a process with this pid exists. EPERM means it exists but belongs to someone else. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function tryCreate(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function removeIfOwned(path: string): void {
  try {
    if (readPid(path) === process.pid) unlinkSync(path);
  } catch {
    // Already gone, or the folder was removed: nothing left to release.
  }
}

/**
 * Takes the folder for this process or throws STORE_LOCKED naming the folder and the owner's pid.
 * The same process opening the folder twice is refused as well.
 */
export function acquireOwnerLock(dataDir: string): OwnerLock {
  const path = join(dataDir, LOCK_FILE);

  // Two attempts: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path)) return ownedLock(path);

    const owner = readPid(path);
    if (owner !== undefined && isAlive(owner)) {
      const who = owner === process.pid ? 'this process' : `process ${owner}`;
      throw new ParleyError(
        'STORE_LOCKED',
        `PGlite data folder ${dataDir} is in use by ${who} (pid ${owner}); stop that process, ` +
          `or point PARLEY_DATA_DIR at another folder, or set DATABASE_URL to share a server`,
      );
    }
    // Stale (dead owner or unreadable pid): remove it and try once more.
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new ParleyError(
    'STORE_LOCKED',
    `PGlite data folder ${dataDir}: another process took ${path} while a stale lock was removed`,
  );
}

function ownedLock(path: string): OwnerLock {
  // A normal exit without close() still frees the folder; a crash leaves a stale lock instead.
  const onExit = () => removeIfOwned(path);
  process.once('exit', onExit);
  return {
    path,
    release() {
      process.removeListener('exit', onExit);
      removeIfOwned(path);
    },
  };
}
