import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { forwardBatch, packBatch } from '../../src/nlu/encode.js';
import type { Encoded } from '../../src/nlu/featurize.js';
import {
  buildForwardGraph,
  buildTrainingGraph,
  exportWeights,
  FEATURE_TABLE,
  MODEL_DEFAULTS,
  paramDefs,
  WIDE_TABLE,
  type ModelSpec,
} from '../../src/nlu/model.js';
import { exportForward } from '../../src/train/graph/export.js';
import { createRng } from '../../src/train/rng.js';

const K = 5;
const FEATURES = 60;

/** Messages of the given lengths in rows (__CLS__ included), with random ids (some slots empty). */
function messages(lengths: number[], seed: number): Encoded[] {
  const rng = createRng(seed);
  return lengths.map((length) => {
    const ids = new Int32Array(length * K);
    ids[0] = 1; // __CLS__
    for (let t = 1; t < length; t++) {
      const filled = 1 + Math.floor(rng.next() * K);
      for (let s = 0; s < filled; s++) ids[t * K + s] = 2 + Math.floor(rng.next() * (FEATURES - 2));
    }
    return { tokens: [], featureIds: ids, length, truncated: false };
  });
}

/** Every parameter drawn at random (biases and norms too, so no term can hide as a zero). */
function randomParams(spec: ModelSpec, seed: number): Map<string, Float32Array> {
  const rng = createRng(seed);
  const params = new Map<string, Float32Array>();
  for (const [name, def] of paramDefs(spec)) {
    const size = def.shape.reduce((a, b) => a * b, 1);
    params.set(
      name,
      Float32Array.from({ length: size }, () => 0.4 * rng.normal()),
    );
  }
  return exportWeights(params);
}

/** Intent and tag logits of the training graph (padded [B,T,*]) with its sparse tables fed. */
async function trainingLogits(
  spec: ModelSpec,
  params: Map<string, Float32Array>,
  items: Encoded[],
) {
  const built = buildTrainingGraph(spec, params, { entityLossWeight: 1, labelSmoothing: 0 });
  const bytes = exportForward(
    built.graph,
    { intentLogits: built.intentLogits, tagLogits: built.tagLogits },
    params,
  );
  const packed = packBatch(items, { featuresPerToken: K, slotWeights: true });
  const { batch, rows } = packed;
  const feeds: Record<string, ort.Tensor> = {
    featureIds: new ort.Tensor('int64', BigInt64Array.from(packed.featureIds, BigInt), [
      batch,
      rows,
      K,
    ]),
    featureWeights: new ort.Tensor('float32', packed.featureWeights, [batch, rows, K]),
    tokenMask: new ort.Tensor('float32', packed.tokenMask, [batch, rows]),
    positions: new ort.Tensor('int64', packed.positions, [rows]),
  };
  for (const table of [FEATURE_TABLE, WIDE_TABLE]) {
    const def = paramDefs(spec).get(table);
    if (def) feeds[table] = new ort.Tensor('float32', params.get(table)!, def.shape);
  }
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(feeds);
  await session.release();
  return {
    rows,
    intents: out.intentLogits.data as Float32Array,
    tags: out.tagLogits.data as Float32Array,
  };
}

describe('the exported forward graph', () => {
  for (const heads of [1, 2, 4]) {
    it(`computes what the training graph computes, on packed rows (${heads} heads)`, async () => {
      const spec: ModelSpec = {
        config: { ...MODEL_DEFAULTS, hidden: 16, ffn: 24, heads, dropout: 0, featureDropout: 0 },
        featureCount: FEATURES,
        featuresPerToken: K,
        intentCount: 3,
        tagCount: 5,
      };
      const params = randomParams(spec, 3 + heads);
      // lengths out of order, one message alone at its length, two of the longest
      const items = messages([4, 2, 7, 7, 3, 5, 1], heads);
      const reference = await trainingLogits(spec, params, items);

      const forward = buildForwardGraph(spec, params);
      const bytes = exportForward(
        forward.graph,
        { intentLogits: forward.intentLogits, tagLogits: forward.tagLogits },
        params,
      );
      const session = await ort.InferenceSession.create(bytes);
      const batch = forwardBatch(items, { featuresPerToken: K, localWindow: 1 }, 'packed');
      const out = await session.run(batch.inputs);
      await session.release();

      const intents = out.intentLogits.data as Float32Array;
      expect(intents.length).toBe(reference.intents.length);
      intents.forEach((v, i) => expect(v).toBeCloseTo(reference.intents[i], 4));
      const tags = out.tagLogits.data as Float32Array;
      items.forEach((item, b) => {
        for (let t = 0; t < item.length; t++) {
          for (let s = 0; s < spec.tagCount; s++) {
            const got = tags[(batch.firstRow[b] + t) * spec.tagCount + s];
            const want = reference.tags[(b * reference.rows + t) * spec.tagCount + s];
            expect(got).toBeCloseTo(want, 4);
          }
        }
      });
    });
  }
});
