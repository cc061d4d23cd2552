import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportForward } from '../../src/train/graph/export.js';
import { Graph } from '../../src/train/graph/graph.js';
import * as op from '../../src/train/graph/ops/index.js';
import { HostTable, sparseBag, type SparseBatch } from '../../src/train/host-table.js';
import type { AdamWOptions } from '../../src/train/optimizer.js';
import { createStepTrainer } from '../../src/train/step-trainer.js';

const WIDTH = 2;
const START = Float32Array.from({ length: 5 * WIDTH }, (_, i) => 0.1 * i - 0.3);

/** One message of two rows, three slots per row: row 0 reads ids 1 and 3 (slot 2 empty). */
const BATCH: SparseBatch = {
  batch: 1,
  rows: 2,
  slots: 3,
  ids: Int32Array.of(1, 3, 0, 3, 4, 1),
  weights: Float32Array.of(0.5, 2, 0, 1, -1, 0.25),
};

describe('sparseBag', () => {
  it('sums the weighted rows of each token into its bag, in onnxruntime', async () => {
    const g = new Graph();
    const table = g.input('table', 'float32', [5, WIDTH]);
    const ids = g.input('ids', 'int64', ['batch', 'rows', 3]);
    const weights = g.input('weights', 'float32', ['batch', 'rows', 3]);
    const bytes = exportForward(g, { bag: sparseBag(table, ids, weights) }, new Map());
    const session = await ort.InferenceSession.create(bytes);
    const { bag } = await session.run({ ...batchFeeds(BATCH), table: tableTensor(START) });
    await session.release();

    const row = (id: number) => [START[id * 2], START[id * 2 + 1]];
    const expected = [
      ...row(1).map((x, j) => 0.5 * x + 2 * row(3)[j]),
      ...row(3).map((x, j) => x - row(4)[j] + 0.25 * row(1)[j]),
    ];
    expect(bag.dims).toEqual([1, 2, WIDTH]);
    Array.from(bag.data as Float32Array).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
  });
});

describe('HostTable', () => {
  it('updates only the rows it read, by AdamW on their summed and clipped gradients', async () => {
    const options: AdamWOptions = {
      beta1: 0.9,
      beta2: 0.99,
      eps: 1e-8,
      weightDecay: 0.5,
      clipNorm: 1,
    };
    const table = await HostTable.create('t', 5, WIDTH, START, true);
    const bagGrad = Float32Array.of(1, -2, 3, 0.5); // [B=1, T=2, D=2]
    const lr = 0.1;

    // by hand: row 1 gets 0.5*g0 + 0.25*g1, row 3 gets 2*g0 + g1, row 4 gets -g1
    const g0 = [1, -2];
    const g1 = [3, 0.5];
    const grads = new Map([
      [1, g0.map((x, j) => 0.5 * x + 0.25 * g1[j])],
      [3, g0.map((x, j) => 2 * x + g1[j])],
      [4, g1.map((x) => -x)],
    ]);
    const norm = Math.sqrt([...grads.values()].flat().reduce((s, x) => s + x * x, 0));
    expect(table.update(BATCH, bagGrad, lr, 1, options)).toBeCloseTo(norm, 5);

    const clip = 1 / norm; // norm > 1
    const expected = Array.from(START);
    for (const [row, g] of grads) {
      g.forEach((gj, j) => {
        const k = row * WIDTH + j;
        const clipped = gj * clip;
        const mHat = ((1 - options.beta1) * clipped) / (1 - options.beta1);
        const vHat = ((1 - options.beta2) * clipped * clipped) / (1 - options.beta2);
        expected[k] =
          START[k] * (1 - lr * options.weightDecay) - (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
      });
    }
    Array.from(table.weights).forEach((x, k) => expect(x, `w[${k}]`).toBeCloseTo(expected[k], 5));
    // rows 0 and 2 were not read: untouched, no decay either
    expect(Array.from(table.weights.subarray(0, 2))).toEqual(Array.from(START.subarray(0, 2)));
    expect(Array.from(table.weights.subarray(4, 6))).toEqual(Array.from(START.subarray(4, 6)));
  });

  it('matches a float64 AdamW over several steps on rows of 4-float blocks plus a tail', async () => {
    // width 6: the kernels take floats 0-3 of a row four at a time and 4-5 one by one
    const width = 6;
    const rows = 9;
    const random = seeded(7);
    const start = Float32Array.from({ length: rows * width }, () => random() - 0.5);
    const batch: SparseBatch = {
      batch: 2,
      rows: 3,
      slots: 4,
      ids: Int32Array.from({ length: 24 }, (_, s) => (s % 4 === 3 ? 0 : 1 + ((s * 5) % 8))),
      weights: Float32Array.from({ length: 24 }, (_, s) => (s % 4 === 3 ? 0 : random())),
    };
    const options: AdamWOptions = { ...OPTIONS, weightDecay: 0.1, clipNorm: 2 };
    const table = await HostTable.create('t', rows, width, start, true);
    const reference = referenceAdam(start, width, options);
    for (let step = 1; step <= 4; step++) {
      const bagGrad = Float32Array.from({ length: 2 * 3 * width }, () => 2 * random() - 1);
      const norm = table.update(batch, bagGrad, 0.05, step, options);
      expect(norm).toBeCloseTo(reference.step(batch, bagGrad, 0.05, step), 4);
    }
    Array.from(table.weights).forEach((x, k) =>
      expect(x, `w[${k}]`).toBeCloseTo(reference.weights[k], 5),
    );
  });

  it('refuses ids outside the table and gradients of the wrong size', async () => {
    const table = await HostTable.create('t', 5, WIDTH, START, false);
    const outside = { ...BATCH, ids: Int32Array.of(1, 9, 0, 3, 4, 1) };
    expect(() => table.update(outside, new Float32Array(4), 0.1, 1, OPTIONS)).toThrow(
      /id 9 is outside \[0, 5\)/,
    );
    expect(() => table.update(BATCH, new Float32Array(3), 0.1, 1, OPTIONS)).toThrow(
      /bag gradient has 3 values, expected 2 x 2/,
    );
    await expect(HostTable.create('t', 5, WIDTH, new Float32Array(4), false)).rejects.toThrow(
      /4 values, expected 5 x 2/,
    );
  });

  it('trains through the step trainer from the gradient of its bag', async () => {
    // loss = Σ bag · target + Σ bias²: the bag's gradient is `target` on every row, and the
    // bias (the graph needs a param of its own) stays at 0
    const g = new Graph();
    const input = g.input('table', 'float32', [5, WIDTH]);
    const ids = g.input('ids', 'int64', ['batch', 'rows', 3]);
    const weights = g.input('weights', 'float32', ['batch', 'rows', 3]);
    const bag = sparseBag(input, ids, weights);
    const bias = g.param('bias', [WIDTH], Float32Array.of(0, 0));
    const target = g.constant('target', [1, -1], 'float32', [WIDTH]);
    const loss = op.add(
      op.reduceSum(op.mul(bag, target), []),
      op.reduceSum(op.mul(bias, bias), []),
    );
    const table = await HostTable.create('table', 5, WIDTH, START, false);
    const trainer = await createStepTrainer({
      graph: g,
      loss,
      optimizer: OPTIONS,
      hostTables: [{ table, input, bag }],
    });

    const reference = await HostTable.create('reference', 5, WIDTH, START, false);
    const rowGrad = Float32Array.of(1, -1, 1, -1);
    for (let step = 1; step <= 3; step++) {
      const result = await trainer.step(batchFeeds(BATCH), 0.05, BATCH);
      expect(result.loss).toBeCloseTo(sumTimesTarget(bagOf(reference.weights, BATCH)), 5);
      reference.update(BATCH, rowGrad, 0.05, step, OPTIONS);
    }
    expect(Array.from(trainer.params().get('table')!)).toEqual(Array.from(reference.weights));
    expect(Array.from(trainer.params().get('bias')!)).toEqual([0, 0]);
    await expect(trainer.step(batchFeeds(BATCH), 0.05)).rejects.toThrow(
      /host tables need a sparse batch/,
    );
    await trainer.release();
  });
});

const OPTIONS: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

function sumTimesTarget(bag: number[]): number {
  let sum = 0;
  for (let i = 0; i < bag.length; i += 2) sum += bag[i] - bag[i + 1];
  return sum;
}

function batchFeeds(batch: SparseBatch): Record<string, ort.Tensor> {
  const dims = [batch.batch, batch.rows, batch.slots];
  return {
    ids: new ort.Tensor('int64', BigInt64Array.from(batch.ids, BigInt), dims),
    weights: new ort.Tensor('float32', batch.weights, dims),
  };
}

function tableTensor(weights: Float32Array): ort.Tensor {
  return new ort.Tensor('float32', weights, [weights.length / WIDTH, WIDTH]);
}

/** The bags of a batch, summed here in float64 as the reference. */
function bagOf(weights: Float32Array, batch: SparseBatch): number[] {
  const bag = new Array<number>(batch.batch * batch.rows * WIDTH).fill(0);
  for (let s = 0; s < batch.ids.length; s++) {
    const row = Math.floor(s / batch.slots);
    for (let j = 0; j < WIDTH; j++) {
      bag[row * WIDTH + j] += batch.weights[s] * weights[batch.ids[s] * WIDTH + j];
    }
  }
  return bag;
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** LazyAdam in float64, the rule HostTable.update documents, for comparison. */
function referenceAdam(start: Float32Array, width: number, options: AdamWOptions) {
  const weights = Array.from(start);
  const m = new Array<number>(start.length).fill(0);
  const v = new Array<number>(start.length).fill(0);
  return {
    weights,
    step(batch: SparseBatch, bagGrad: Float32Array, lr: number, t: number): number {
      const grads = new Map<number, number[]>();
      batch.ids.forEach((id, s) => {
        if (batch.weights[s] === 0) return;
        const row = Math.floor(s / batch.slots);
        const g = grads.get(id) ?? new Array<number>(width).fill(0);
        for (let j = 0; j < width; j++) g[j] += batch.weights[s] * bagGrad[row * width + j];
        grads.set(id, g);
      });
      const norm = Math.sqrt([...grads.values()].flat().reduce((a, x) => a + x * x, 0));
      const clip = Math.min(1, (options.clipNorm ?? Infinity) / norm);
      for (const [id, g] of grads) {
        for (let j = 0; j < width; j++) {
          const k = id * width + j;
          m[k] = options.beta1 * m[k] + (1 - options.beta1) * g[j] * clip;
          v[k] = options.beta2 * v[k] + (1 - options.beta2) * (g[j] * clip) ** 2;
          const mHat = m[k] / (1 - options.beta1 ** t);
          const vHat = v[k] / (1 - options.beta2 ** t);
          weights[k] =
            weights[k] * (1 - lr * options.weightDecay) -
            (lr * mHat) / (Math.sqrt(vHat) + options.eps);
        }
      }
      return norm;
    },
  };
}
