import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ParleyError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { finishDataset, type Contribution } from './candidates.js';
import { readCsv } from './csv.js';
import type { DataFormat, Dataset } from './example.js';
import { readJointBert } from './jointbert.js';
import { readJsonArray, readJsonl } from './jsonl.js';
import { readRasaYaml, toRasaYaml, type RasaExport } from './rasa.js';

export interface LoadOptions {
  /** Skip detection and read every file as this format. */
  format?: DataFormat;
  /** Import nothing when any error is found (warnings do not count). Default false. */
  strict?: boolean;
  /** When given, every entity type must be one of these. */
  knownEntityTypes?: string[];
}

const EXTENSIONS: Record<string, Exclude<DataFormat, 'jointbert'>> = {
  '.yml': 'rasa',
  '.yaml': 'rasa',
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.json': 'jsonl',
};

const JOINTBERT_FILES = ['seq.in', 'seq.out', 'label'] as const;

/**
 * Loads training data from a file or a folder.
 *
 * - A folder holding `seq.in` is one JointBERT split.
 * - Any other folder is a file set: every `.yml`/`.yaml`/`.csv`/`.jsonl`/`.json` file below it
 *   (sorted by path) is read, and entity types are checked across the whole set.
 * - A file is read by its extension, or as `options.format`.
 *
 * Faults in single lines are reported in `summary.problems` (file and line) and those lines are
 * skipped; with `strict: true` nothing is imported when there is any error. Throws
 * `DATA_FORMAT_UNKNOWN` when the format cannot be told, and `DATA_INVALID` when the input as a
 * whole cannot be read (missing path, missing JointBERT file, CSV without the header columns).
 */
export async function loadDataset(path: string, options: LoadOptions = {}): Promise<Dataset> {
  const info = await stat(path).catch((err: unknown) => {
    throw new ParleyError(
      'DATA_INVALID',
      `training data ${path} does not exist or cannot be read`,
      {
        cause: err,
      },
    );
  });

  const parts = info.isDirectory()
    ? await readFolder(path, options.format)
    : [await readOne(path, options.format ?? formatOf(path))];
  const dataset = finishDataset(parts, options);

  const { read, imported, problems } = dataset.summary;
  const errors = problems.filter((p) => (p.severity ?? 'error') === 'error').length;
  logger('data').info(
    { path, read, imported, errors, warnings: problems.length - errors },
    'loaded training data',
  );
  return dataset;
}

/** Throws `DATA_INVALID` listing the first problems when a load found any error. */
export function assertValid(dataset: Dataset, limit = 20): void {
  const errors = dataset.summary.problems.filter((p) => (p.severity ?? 'error') === 'error');
  if (errors.length === 0) return;
  const shown = errors.slice(0, limit).map((p) => `  ${p.file}:${p.line}: ${p.message}`);
  const more = errors.length > limit ? `\n  … and ${errors.length - limit} more` : '';
  throw new ParleyError(
    'DATA_INVALID',
    `training data has ${errors.length} problem(s):\n${shown.join('\n')}${more}`,
  );
}

async function readFolder(folder: string, format: DataFormat | undefined): Promise<Contribution[]> {
  const entries = await readdir(folder);
  if (format === 'jointbert' || (format === undefined && entries.includes('seq.in'))) {
    return [await readJointBertFolder(folder)];
  }

  const files = await listDataFiles(folder, format);
  if (files.length === 0) {
    const splits = await jointBertSubfolders(folder, entries);
    const hint =
      splits.length > 0
        ? `; it holds JointBERT splits (${splits.join(', ')}): load one of them, such as ${join(folder, splits[0])}`
        : '; expected .yml/.yaml (Rasa), .csv, .jsonl/.json files or a JointBERT folder with seq.in';
    throw new ParleyError(
      'DATA_FORMAT_UNKNOWN',
      `found no training data files in ${folder}${hint}`,
    );
  }
  const parts: Contribution[] = [];
  for (const file of files) parts.push(await readOne(file, format ?? formatOf(file)));
  return parts;
}

async function listDataFiles(folder: string, format: DataFormat | undefined): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => {
      const found = EXTENSIONS[extname(file).toLowerCase()];
      return found !== undefined && (format === undefined || found === format);
    })
    .sort();
}

async function jointBertSubfolders(folder: string, entries: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of entries.sort()) {
    const seqIn = await stat(join(folder, entry, 'seq.in')).catch(() => undefined);
    if (seqIn?.isFile()) found.push(entry);
  }
  return found;
}

function formatOf(file: string): DataFormat {
  const format = EXTENSIONS[extname(file).toLowerCase()];
  if (format === undefined) {
    throw new ParleyError(
      'DATA_FORMAT_UNKNOWN',
      `cannot tell the format of ${file} from its extension; expected .yml/.yaml (Rasa), .csv, ` +
        '.jsonl/.json, or a JointBERT folder with seq.in, seq.out and label; or pass a format',
    );
  }
  return format;
}

async function readOne(file: string, format: DataFormat): Promise<Contribution> {
  switch (format) {
    case 'rasa':
      return readRasaYaml(await readText(file), file);
    case 'jsonl': {
      const text = await readText(file);
      return extname(file).toLowerCase() === '.json' && text.trimStart().startsWith('[')
        ? readJsonArray(text, file)
        : readJsonl(text, file);
    }
    case 'csv':
      return readCsv(await readFile(file), file);
    case 'jointbert':
      throw new ParleyError(
        'DATA_INVALID',
        `${file} is a file; the JointBERT format is a folder with seq.in, seq.out and label`,
      );
  }
}

async function readJointBertFolder(folder: string): Promise<Contribution> {
  const missing: string[] = [];
  const texts: string[] = [];
  for (const name of JOINTBERT_FILES) {
    const text = await readFile(join(folder, name), 'utf8').catch(() => undefined);
    if (text === undefined) missing.push(name);
    texts.push(text ?? '');
  }
  if (missing.length > 0) {
    throw new ParleyError(
      'DATA_INVALID',
      `JointBERT folder ${folder} lacks ${missing.join(', ')}; it needs seq.in, seq.out and label`,
    );
  }
  return readJointBert({ seqIn: texts[0], seqOut: texts[1], label: texts[2] }, folder);
}

async function readText(file: string): Promise<string> {
  const text = await readFile(file, 'utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** Writes a data set as Rasa YAML; returns what Rasa's format could not hold. */
export async function writeRasaYaml(
  path: string,
  dataset: Pick<Dataset, 'examples'> & Partial<Dataset>,
): Promise<RasaExport['omitted']> {
  const { yaml, omitted } = toRasaYaml(dataset);
  await writeFile(path, yaml, 'utf8');
  if (omitted.length > 0) {
    logger('data').warn(
      { path: basename(path), omitted: omitted.length },
      'examples Rasa YAML cannot hold were left out',
    );
  }
  return omitted;
}
