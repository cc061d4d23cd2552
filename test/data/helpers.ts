import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** A fresh temporary folder per test, removed afterwards. */
export function useTempDir(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-data-'));
    made.push(dir);
    return dir;
  };
}

/** Writes files (name -> content) into `dir` and returns `dir`. */
export async function writeFiles(
  dir: string,
  files: Record<string, string | Buffer>,
): Promise<string> {
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

/**
 * The shared benchmark data sets, read in place (never copied into the repository): the
 * `shared/datasets` folder next to the project root or one of its ancestors, or
 * PARLEY_DATASETS_DIR.
 */
export function sharedDataset(...parts: string[]): string {
  const fromEnv = process.env.PARLEY_DATASETS_DIR;
  const roots = fromEnv ? [fromEnv] : ancestors(fileURLToPath(new URL('../..', import.meta.url)));
  for (const root of roots) {
    const dir = fromEnv ? root : join(root, 'shared', 'datasets');
    if (existsSync(dir)) return join(dir, ...parts);
  }
  throw new Error('shared/datasets not found beside the project; set PARLEY_DATASETS_DIR');
}

function ancestors(dir: string): string[] {
  const list: string[] = [];
  for (let at = dirname(dir); at !== dirname(at); at = dirname(at)) list.push(at);
  return list;
}
