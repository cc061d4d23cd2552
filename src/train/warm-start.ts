/**
 * Warm start: a new model begins from a trained one. Every parameter whose name and shape match
 * is copied. The two heads may have grown (new intents or entity types are appended to the
 * parent's labels): their columns are copied by label name and the new columns keep their
 * fresh initialisation. The featurizer is the parent's, so the feature table keeps its shape.
 */
import { ParleyError } from '../core/errors.js';
import type { LoadedArtifact } from '../nlu/artifact.js';
import { HEAD_PARAMS, paramDefs, WIDE_TABLE, type ModelSpec } from '../nlu/model.js';

export interface GrownLabels {
  intents: readonly string[];
  tags: readonly string[];
}

export function growParams(
  fresh: ReadonlyMap<string, Float32Array>,
  spec: ModelSpec,
  parent: LoadedArtifact,
  labels: GrownLabels,
): Map<string, Float32Array> {
  const heads = new Map<string, { now: readonly string[]; before: readonly string[] }>([
    [HEAD_PARAMS.intent.weight, { now: labels.intents, before: parent.manifest.labels.intents }],
    [HEAD_PARAMS.intent.bias, { now: labels.intents, before: parent.manifest.labels.intents }],
    [WIDE_TABLE, { now: labels.intents, before: parent.manifest.labels.intents }],
    [HEAD_PARAMS.entity.weight, { now: labels.tags, before: parent.manifest.labels.tags }],
    [HEAD_PARAMS.entity.bias, { now: labels.tags, before: parent.manifest.labels.tags }],
  ]);
  const params = new Map<string, Float32Array>();

  for (const [name, def] of paramDefs(spec)) {
    const start = Float32Array.from(fresh.get(name) as Float32Array);
    const old = parent.weights.get(name);
    const head = heads.get(name);
    if (!old) {
      params.set(name, start);
    } else if (head) {
      params.set(name, copyColumns(start, def.shape, old, head.now, head.before, name));
    } else if (sameDims(old.dims, def.shape)) {
      params.set(name, Float32Array.from(old.data));
    } else {
      throw new ParleyError(
        'MODEL_INVALID',
        `warm start: ${name} is [${old.dims.join(', ')}] in model ${parent.manifest.version} ` +
          `but [${def.shape.join(', ')}] here; the model settings must match the parent's`,
      );
    }
  }
  return params;
}

/** Copies the parent's columns (last axis) into the grown tensor, matched by label name. */
function copyColumns(
  target: Float32Array,
  shape: number[],
  old: { dims: number[]; data: Float32Array },
  now: readonly string[],
  before: readonly string[],
  name: string,
): Float32Array {
  const rows = shape.length === 2 ? shape[0] : 1;
  const oldRows = old.dims.length === 2 ? old.dims[0] : 1;
  if (rows !== oldRows || old.dims[old.dims.length - 1] !== before.length) {
    throw new ParleyError(
      'MODEL_INVALID',
      `warm start: ${name} is [${old.dims.join(', ')}], which does not fit ${before.length} labels`,
    );
  }
  const width = now.length;
  const oldWidth = before.length;
  before.forEach((label, from) => {
    const to = now.indexOf(label);
    if (to < 0) return;
    for (let r = 0; r < rows; r++) target[r * width + to] = old.data[r * oldWidth + from];
  });
  return target;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
