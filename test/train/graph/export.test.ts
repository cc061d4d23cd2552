import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { isParleyError } from '../../../src/core/errors.js';
import { exportForward, readInitializers } from '../../../src/train/graph/export.js';
import { Graph } from '../../../src/train/graph/graph.js';
import * as op from '../../../src/train/graph/ops/index.js';
import { decodeString, readFields } from '../../../src/train/onnx/protobuf.js';
import { createStepTrainer } from '../../../src/train/step-trainer.js';
import { buildTinyTransformer, tinyBatch, type TinyConfig } from '../tiny-transformer.js';

const TINY: TinyConfig = {
  vocab: 40,
  width: 8,
  heads: 2,
  layers: 1,
  ffn: 16,
  features: 3,
  maxSeq: 8,
  tags: 5,
  intents: 3,
  seed: 9,
};

/** op_type of every node in an ONNX model (GraphProto.node = 7 → 1, NodeProto.op_type = 4). */
function opTypes(bytes: Uint8Array): string[] {
  const graph = readFields(bytes).find((f) => f.field === 7)!.value as Uint8Array;
  return readFields(graph)
    .filter((f) => f.field === 1)
    .map((f) =>
      decodeString(
        readFields(f.value as Uint8Array).find((x) => x.field === 4)!.value as Uint8Array,
      ),
    );
}

describe('exportForward', () => {
  it('round-trips trained weights and reproduces the training graph forward outputs', async () => {
    const model = buildTinyTransformer(TINY);
    const trainer = await createStepTrainer({
      graph: model.graph,
      loss: model.loss,
      extraOutputs: { tags: model.tagLogits, intents: model.intentLogits },
      optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    });
    for (let i = 0; i < 5; i++) await trainer.step(tinyBatch(TINY, 3, 5, i), 1e-2);
    const trained = trainer.params();
    // lr 0 leaves the weights as they are and returns their forward outputs
    const batch = tinyBatch(TINY, 3, 5, 99);
    const reference = (await trainer.step(batch, 0)).outputs;
    await trainer.release();

    const bytes = exportForward(
      model.graph,
      { tags: model.tagLogits, intents: model.intentLogits },
      trained,
    );

    // weights round trip, bit for bit
    const inits = readInitializers(bytes);
    for (const { value } of model.graph.params) {
      expect(inits.get(value.name)?.dims, value.name).toEqual(value.shape);
      expect(inits.get(value.name)?.data, value.name).toEqual(trained.get(value.name));
    }

    // forward only: no gradient or optimizer nodes, no label or optimizer inputs
    const types = new Set(opTypes(bytes));
    for (const training of ['ScatterND', 'Pad', 'Expand', 'Pow'])
      expect(types.has(training)).toBe(false);
    const session = await ort.InferenceSession.create(bytes);
    expect([...session.inputNames].sort()).toEqual(['ids', 'mask', 'positions']);

    const out = await session.run({ ids: batch.ids, positions: batch.positions, mask: batch.mask });
    for (const key of ['tags', 'intents']) {
      const got = out[key].data as Float32Array;
      expect(got.length).toBe(reference[key].length);
      got.forEach((v, i) => expect(v).toBeCloseTo(reference[key][i], 5));
    }
    await session.release();
  });

  it('refuses a params map that lacks a needed weight', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const y = op.mul(x, g.param('scale', [2], Float32Array.from([1, 2])));
    let caught: unknown;
    try {
      exportForward(g, { y }, new Map());
    } catch (err) {
      caught = err;
    }
    expect(isParleyError(caught, 'MODEL_INVALID')).toBe(true);
    expect((caught as Error).message).toMatch(/param scale \[2\] needs 2 values, got nothing/);
  });

  it('emits an output that is a graph input through Identity', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const bytes = exportForward(g, { same: x, doubled: op.mul(x, 2) }, new Map());
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 3]), [2]) });
    expect(Array.from(out.same.data as Float32Array)).toEqual([1, 3]);
    expect(Array.from(out.doubled.data as Float32Array)).toEqual([2, 6]);
    await session.release();
  });
});

describe('multi-output ONNX ops', () => {
  it('emits unique() values and inverse from one Unique node', async () => {
    const g = new Graph();
    const ids = g.input('ids', 'int64', ['n']);
    const { values, inverse } = op.unique(ids);
    const bytes = exportForward(g, { values, inverse }, new Map());
    expect(opTypes(bytes).filter((t) => t === 'Unique')).toHaveLength(1);

    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({
      ids: new ort.Tensor('int64', BigInt64Array.from([3n, 1n, 3n, 3n, 0n]), [5]),
    });
    expect(Array.from(out.values.data as BigInt64Array)).toEqual([3n, 1n, 0n]);
    expect(Array.from(out.inverse.data as BigInt64Array)).toEqual([0n, 1n, 0n, 0n, 2n]);
    await session.release();
  });
});

describe('segmentSum', () => {
  it('sums rows per id in ascending id order', async () => {
    const g = new Graph();
    const ids = g.input('ids', 'int64', ['n']);
    const rows = g.input('rows', 'float32', ['n', 2]);
    const { ids: distinct, sums } = op.segmentSum(ids, rows);
    const session = await ort.InferenceSession.create(
      exportForward(g, { distinct, sums }, new Map()),
    );
    const out = await session.run({
      ids: new ort.Tensor('int64', BigInt64Array.from([3n, 1n, 3n, 3n, 0n]), [5]),
      rows: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), [5, 2]),
    });
    expect(Array.from(out.distinct.data as BigInt64Array)).toEqual([0n, 1n, 3n]);
    expect(Array.from(out.sums.data as Float32Array)).toEqual([9, 10, 3, 4, 13, 16]);
    await session.release();
  });

  it('gives exact, repeatable sums for thousands of repeated ids', async () => {
    // ScatterND reduction="add" loses updates here on several threads (see ops/segment.ts)
    const n = 6000;
    const g = new Graph();
    const ids = g.input('ids', 'int64', [n]);
    const rows = g.input('rows', 'float32', [n, 8]);
    const { sums } = op.segmentSum(ids, rows);
    const idData = Array.from({ length: n }, (_, i) => (i * i) % 37);
    const rowData = Float32Array.from({ length: n * 8 }, (_, i) => Math.sin(i) * 0.01);
    const expected = new Float64Array(37 * 8);
    idData.forEach((id, i) => {
      for (let j = 0; j < 8; j++) expected[id * 8 + j] += rowData[i * 8 + j];
    });
    const distinctIds = [...new Set(idData)].sort((a, b) => a - b);

    const session = await ort.InferenceSession.create(exportForward(g, { sums }, new Map()));
    const feeds = {
      ids: new ort.Tensor('int64', BigInt64Array.from(idData.map(BigInt)), [n]),
      rows: new ort.Tensor('float32', rowData, [n, 8]),
    };
    const first = (await session.run(feeds)).sums.data as Float32Array;
    distinctIds.forEach((id, u) => {
      for (let j = 0; j < 8; j++) expect(first[u * 8 + j]).toBeCloseTo(expected[id * 8 + j], 6);
    });
    for (let r = 0; r < 5; r++) {
      expect((await session.run(feeds)).sums.data).toEqual(first);
    }
    await session.release();
  });
});
