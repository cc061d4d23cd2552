import { logger as componentLogger, type Logger } from '../core/log.js';
import type { DataFormat, Dataset, Example, ImportSummary } from '../data/example.js';
import { loadDataset } from '../data/load.js';
import type { ExampleOrigin, TrainingExamplesPort } from './ports.js';
import type { ModelRegistry } from './registry.js';

/**
 * The base data and the first model version.
 *
 * On first start the shipped training set becomes the base examples, each with its frozen split
 * (decided by the store from a hash of the normalised text), and the shipped model becomes v1.
 * v1 records the highest base example id it was trained with (`dataMark`), so a later
 * `parley import` is seen as new data by the next run.
 *
 * The shipped model should have been trained on the train split of that same hash split: if it
 * saw the test split, it scores higher there than any candidate can, and the gate is biased
 * towards keeping it.
 */

export interface BootstrapPaths {
  /** Model folder of the shipped default (model.onnx + manifest.json). */
  modelDir: string;
  /** Its training data (any supported format). */
  dataPath: string;
}

export interface BootstrapResult {
  created: boolean;
  version: number;
  /** Base examples written this time (0 when the registry existed). */
  examplesWritten: number;
}

export async function bootstrapRegistry(
  deps: { registry: ModelRegistry; examples: TrainingExamplesPort; logger?: Logger },
  paths: BootstrapPaths,
): Promise<BootstrapResult> {
  const log = deps.logger ?? componentLogger('registry.bootstrap');
  const existing = await deps.registry.activeVersion();
  if (existing !== undefined) return { created: false, version: existing, examplesWritten: 0 };

  // Several instances may start at once: inserts ignore texts already stored, and exactly one
  // of them creates v1.
  const dataset = await loadDataset(paths.dataPath);
  logProblems(dataset.summary, paths.dataPath, log);
  const written = await storeExamples(deps.examples, dataset.examples, 'base', paths.dataPath);
  const dataMark = await highestBaseId(deps.examples);
  const result = await deps.registry.ensureInitial(paths.modelDir, { dataMark });
  log.info(
    { version: result.version, created: result.created, examples: written },
    'model registry ready',
  );
  return { created: result.created, version: result.version, examplesWritten: written };
}

export interface ImportResult extends ImportSummary {
  /** Examples newly stored (texts already stored as base or imported data are left alone). */
  written: number;
  duplicates: number;
}

/** `parley import PATH`: more base data, in any supported format, with its frozen split. */
export async function importBaseData(
  examples: TrainingExamplesPort,
  path: string,
  options: { format?: DataFormat; strict?: boolean } = {},
): Promise<ImportResult> {
  const dataset: Dataset = await loadDataset(path, options);
  const written = await storeExamples(examples, dataset.examples, 'import', path);
  return {
    ...dataset.summary,
    written,
    duplicates: dataset.examples.length - written,
  };
}

async function storeExamples(
  repo: TrainingExamplesPort,
  examples: readonly Example[],
  origin: ExampleOrigin,
  path: string,
): Promise<number> {
  const inputs = examples.map((e) => ({
    text: e.text,
    intent: e.intent,
    entities: e.entities,
    source: e.source ? `${e.source.file}:${e.source.line}` : path,
  }));
  const result = await repo.insertMany(inputs, { origin, onConflict: 'ignore' });
  return result.written;
}

async function highestBaseId(repo: TrainingExamplesPort): Promise<number> {
  const rows = await repo.list({ origins: ['base', 'import'] });
  return rows.reduce((max, row) => Math.max(max, row.id), 0);
}

function logProblems(summary: ImportSummary, path: string, log: Logger): void {
  if (summary.problems.length === 0) return;
  log.warn(
    { path, read: summary.read, imported: summary.imported, problems: summary.problems.length },
    'the shipped training data has problems; those lines were skipped',
  );
}
