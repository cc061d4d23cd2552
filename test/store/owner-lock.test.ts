import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { acquireOwnerLock } from '../../src/store/owner-lock.js';
import { tempDir } from './harness.js';

async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('PGlite owner lock', () => {
  const dirs: string[] = [];
  const folder = () => {
    const dir = tempDir('owner');
    dirs.push(dir);
    return dir;
  };

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes its pid and removes the file on release', () => {
    const dir = folder();
    const lock = acquireOwnerLock(dir);
    expect(readFileSync(lock.path, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('takes over a stale lock left by a dead process', async () => {
    const dir = folder();
    const path = join(dir, 'owner.lock');
    writeFileSync(path, `${await deadPid()}\n`);
    const lock = acquireOwnerLock(dir);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('takes over a lock file whose content is not a pid', () => {
    const dir = folder();
    writeFileSync(join(dir, 'owner.lock'), 'garbage');
    acquireOwnerLock(dir).release();
  });

  it('refuses while the owner holds it, and allows a new owner after release', () => {
    const dir = folder();
    const lock = acquireOwnerLock(dir);
    let error: unknown;
    try {
      acquireOwnerLock(dir);
    } catch (err) {
      error = err;
    }
    expect(isParleyError(error, 'STORE_LOCKED')).toBe(true);
    expect((error as Error).message).toContain(dir);
    lock.release();
    acquireOwnerLock(dir).release();
  });

  it('leaves a lock it does not own in place on release', () => {
    const dir = folder();
    const lock = acquireOwnerLock(dir);
    writeFileSync(lock.path, '1\n');
    lock.release();
    expect(readFileSync(lock.path, 'utf8').trim()).toBe('1');
  });
});
