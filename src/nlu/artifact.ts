/**
 * The model artifact: a folder with
 *
 *   model.onnx     the forward graph only (model.ts: inputs to intent and tag logits), with the
 *                  trained weights as initializers
 *   manifest.json  everything needed to use it: labels, featurizer settings with hash seed and
 *                  vocabulary, calibration (temperature, out-of-scope threshold), training data
 *                  hash, metrics, parent version, creation time, and the sha256 of model.onnx
 *
 * Loading checks all of it and says what is wrong with ParleyError('MODEL_INVALID'): a missing
 * file, bad JSON, a field of the wrong type, a checksum mismatch, labels that do not match the
 * graph's output sizes, a featurizer whose id space does not match the feature table.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ParleyError } from '../core/errors.js';
import { readInitializers } from '../train/graph/export.js';
import { checkTagLayout } from './decode.js';
import { Featurizer } from './featurize.js';
import { FEATURE_TABLE, HEAD_PARAMS, POSITION_TABLE, type ModelConfig } from './model.js';

export const MANIFEST_FILE = 'manifest.json';
export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FORMAT = 'parley-nlu';
/**
 * The version this Parley writes. Bump when a manifest field or the graph's inputs change
 * meaning; loading refuses versions outside READABLE_FORMAT_VERSIONS.
 * 1: the forward graph takes padded [B,T,*] inputs. 2: packed rows (model.ts, encode.ts).
 */
export const MANIFEST_FORMAT_VERSION = 2;
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2];

const modelConfigSchema = z.object({
  hidden: z.number().int().positive(),
  layers: z.number().int().min(0),
  heads: z.number().int().positive(),
  ffn: z.number().int().positive(),
  maxPositions: z.number().int().positive(),
  dropout: z.number().min(0).max(1),
  featureDropout: z.number().min(0).max(1),
  tokenDropout: z.number().min(0).max(1).default(0),
  intentPooling: z.enum(['cls', 'cls+mean']).default('cls'),
  wideIntent: z.boolean().default(false),
  localWindow: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0),
  tagWindow: z.boolean().default(false),
}) satisfies z.ZodType<ModelConfig>;

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  formatVersion: z.number().int(),
  /** The model version, unique per trained artifact. */
  version: z.string().min(1),
  /** The version this model was warm-started from, or null. */
  parentVersion: z.string().min(1).nullable(),
  /** ISO 8601. */
  createdAt: z.string().datetime(),
  labels: z.object({
    intents: z.array(z.string().min(1)).min(1),
    /** `O`, then `B-x`, `I-x` per entity type (decode.ts). */
    tags: z.array(z.string().min(1)).min(1),
  }),
  outOfScopeIntent: z.string().min(1),
  /** Featurizer.toJSON(): settings, hash seed, vocabulary, regex and lookup features. */
  featurizer: z.unknown(),
  model: modelConfigSchema,
  calibration: z.object({
    /** Intent logits are divided by this before the softmax. */
    temperature: z.number().positive(),
    /** Calibrated top confidence below which the prediction is out-of-scope. 0..1. */
    threshold: z.number().min(0).max(1),
    /** How the threshold was chosen, in words. */
    criterion: z.string(),
  }),
  /** Lower-cased mention to canonical value, applied to predicted entities. */
  synonyms: z.record(z.string(), z.string()),
  training: z.object({
    /** sha256 over the canonical training and dev examples (training-data.ts). */
    dataHash: z.string(),
    trainExamples: z.number().int().min(0),
    devExamples: z.number().int().min(0),
    /** Where the dev split came from. */
    devSource: z.enum(['given', 'carved', 'none']),
    seed: z.number().int(),
    epochs: z.number().int().min(0),
    bestEpoch: z.number().int().min(0),
    /** How many epochs' weights ending at bestEpoch the model averages (1: none averaged). */
    averagedEpochs: z.number().int().min(1).default(1),
    steps: z.number().int().min(0),
    durationMs: z.number().min(0),
    device: z.string(),
    /** The settings the run used (TrainConfig), for reproducing it. */
    config: z.record(z.string(), z.unknown()),
  }),
  /** Dev-set figures at the chosen epoch, all 0..1 unless the name says otherwise. */
  metrics: z.record(z.string(), z.number()),
  onnx: z.object({
    file: z.literal(MODEL_FILE),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().positive(),
  }),
});

export type NluManifest = z.infer<typeof manifestSchema>;

export interface ModelArtifact {
  manifest: NluManifest;
  /** The bytes of model.onnx. */
  onnx: Uint8Array;
}

/** A checked artifact with its featurizer and weights, as warm starts and runtimes need. */
export interface LoadedArtifact extends ModelArtifact {
  featurizer: Featurizer;
  /** Trained weights by parameter name (model.ts), row-major. */
  weights: Map<string, { dims: number[]; data: Float32Array }>;
  /** The folder it was read from, when it came from disk. */
  dir?: string;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes the artifact to `dir` (created if needed). Both files are written under temporary
 * names and renamed, model.onnx first, so a reader never sees a manifest without its graph.
 */
export async function saveArtifact(dir: string, artifact: ModelArtifact): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files: [string, Uint8Array | string][] = [
    [MODEL_FILE, artifact.onnx],
    [MANIFEST_FILE, `${JSON.stringify(artifact.manifest, null, 2)}\n`],
  ];
  for (const [name, data] of files) {
    const temporary = join(dir, `.${name}.${process.pid}.tmp`);
    await writeFile(temporary, data);
    await rename(temporary, join(dir, name));
  }
}

/** Reads and checks a model folder; every problem is a MODEL_INVALID (or MODEL_NOT_FOUND). */
export async function loadArtifact(dir: string): Promise<LoadedArtifact> {
  await requireFolder(dir);
  const manifest = parseManifest(await readRequired(dir, MANIFEST_FILE), dir);
  const onnx = new Uint8Array(await readRequired(dir, MODEL_FILE));
  return { ...checkArtifact({ manifest, onnx }, dir), dir };
}

/** Checks an in-memory artifact the way loadArtifact checks a folder. */
export function checkArtifact(artifact: ModelArtifact, where = 'model artifact'): LoadedArtifact {
  const { manifest, onnx } = artifact;
  checkChecksum(manifest, onnx, where);
  checkLabels(manifest, where);
  const featurizer = readFeaturizer(manifest, where);
  const weights = readWeights(onnx, where);
  checkShapes(manifest, featurizer, weights, where);
  return { manifest, onnx, featurizer, weights };
}

function invalid(where: string, problem: string, cause?: unknown): ParleyError {
  return new ParleyError('MODEL_INVALID', `${where}: ${problem}`, { cause });
}

async function requireFolder(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) {
    throw new ParleyError(
      'MODEL_NOT_FOUND',
      `model folder ${dir} does not exist; run \`parley train --data ... --out ${dir}\` to create one`,
    );
  }
  if (!info.isDirectory()) {
    throw invalid(
      dir,
      `is a file, not a model folder (expected ${MODEL_FILE} and ${MANIFEST_FILE})`,
    );
  }
}

async function readRequired(dir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, name));
  } catch (err) {
    throw invalid(
      dir,
      `has no ${name}; a model folder holds ${MODEL_FILE} and ${MANIFEST_FILE} as written by ` +
        '`parley train`',
      err,
    );
  }
}

function parseManifest(bytes: Buffer, dir: string): NluManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalid(dir, `${MANIFEST_FILE} is not valid JSON (${reason})`, err);
  }
  return checkManifest(json, `${dir}/${MANIFEST_FILE}`);
}

/** Validates a parsed manifest; the error lists every field that is wrong. */
export function checkManifest(json: unknown, where: string): NluManifest {
  const header = z.object({ format: z.string(), formatVersion: z.number() }).safeParse(json);
  if (header.success && header.data.format === MANIFEST_FORMAT) {
    if (!READABLE_FORMAT_VERSIONS.includes(header.data.formatVersion)) {
      throw invalid(
        where,
        `has format version ${header.data.formatVersion}, and this Parley reads versions ` +
          `${READABLE_FORMAT_VERSIONS.join(' and ')}; retrain the model with this version`,
      );
    }
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.join('.') || '(top level)';
      return `${path}: ${issue.message}`;
    });
    throw invalid(where, `is not a valid Parley model manifest:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

function checkChecksum(manifest: NluManifest, onnx: Uint8Array, where: string): void {
  if (onnx.byteLength !== manifest.onnx.bytes) {
    throw invalid(
      where,
      `${MODEL_FILE} has ${onnx.byteLength} bytes and the manifest says ${manifest.onnx.bytes}; ` +
        'the file is truncated or was replaced',
    );
  }
  const actual = sha256Hex(onnx);
  if (actual !== manifest.onnx.sha256) {
    throw invalid(
      where,
      `${MODEL_FILE} does not match the checksum in ${MANIFEST_FILE} (expected sha256 ` +
        `${manifest.onnx.sha256}, found ${actual}); the file is corrupt or was replaced`,
    );
  }
}

function checkLabels(manifest: NluManifest, where: string): void {
  const { intents, tags } = manifest.labels;
  const duplicate = intents.find((name, i) => intents.indexOf(name) !== i);
  if (duplicate !== undefined) throw invalid(where, `intent ${duplicate} is listed twice`);
  const layout = checkTagLayout(tags);
  if (layout) throw invalid(where, `labels.tags: ${layout}`);
}

function readFeaturizer(manifest: NluManifest, where: string): Featurizer {
  try {
    return Featurizer.fromJSON(manifest.featurizer);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalid(where, `the featurizer settings cannot be read: ${reason}`, err);
  }
}

function readWeights(onnx: Uint8Array, where: string): LoadedArtifact['weights'] {
  try {
    return readInitializers(onnx);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalid(where, `${MODEL_FILE} cannot be parsed as an ONNX model: ${reason}`, err);
  }
}

/** The labels and the featurizer must match the sizes baked into the graph. */
function checkShapes(
  manifest: NluManifest,
  featurizer: Featurizer,
  weights: LoadedArtifact['weights'],
  where: string,
): void {
  const expectations: [string, number, number, string][] = [
    [HEAD_PARAMS.intent.weight, 1, manifest.labels.intents.length, 'intents in labels.intents'],
    [HEAD_PARAMS.entity.weight, 1, manifest.labels.tags.length, 'tags in labels.tags'],
    [FEATURE_TABLE, 0, featurizer.featureCount, "ids in the featurizer's id space"],
    [FEATURE_TABLE, 1, manifest.model.hidden, 'hidden units in model.hidden'],
    [POSITION_TABLE, 0, manifest.model.maxPositions, 'positions in model.maxPositions'],
  ];
  for (const [name, axis, expected, what] of expectations) {
    const tensor = weights.get(name);
    if (!tensor)
      throw invalid(where, `${MODEL_FILE} has no weight ${name}; it is not a Parley NLU graph`);
    if (tensor.dims[axis] !== expected) {
      throw invalid(
        where,
        `${MODEL_FILE}'s ${name} has ${tensor.dims[axis]} entries on axis ${axis}, but there are ` +
          `${expected} ${what}; the manifest and the graph do not belong together`,
      );
    }
  }
  const rowsNeeded = featurizer.config.maxTokens + 1;
  if (manifest.model.maxPositions < rowsNeeded) {
    throw invalid(
      where,
      `model.maxPositions is ${manifest.model.maxPositions} but the featurizer reads up to ` +
        `${rowsNeeded} rows (maxTokens + __CLS__)`,
    );
  }
}

/** Removes a model folder's files (used when a training run is abandoned half-written). */
export async function removeArtifact(dir: string): Promise<void> {
  await rm(join(dir, MODEL_FILE), { force: true });
  await rm(join(dir, MANIFEST_FILE), { force: true });
}
