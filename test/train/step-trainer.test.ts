import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { Graph } from '../../src/train/graph/graph.js';
import * as op from '../../src/train/graph/ops/index.js';
import type { AdamWOptions } from '../../src/train/optimizer.js';
import {
  checkCudaBinaries,
  createStepTrainer,
  cudaProviderPath,
} from '../../src/train/step-trainer.js';
import { existsSync } from 'node:fs';
import { rng } from './graph/grad-check.js';
import { buildTinyTransformer, tinyBatch, type TinyConfig } from './tiny-transformer.js';

const ADAM: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

function argmaxRows(logits: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < logits.length; i += classes) {
    const row = Array.from(logits.subarray(i, i + classes));
    out.push(row.indexOf(Math.max(...row)));
  }
  return out;
}

/** Points in [-1, 1]² kept away from the axes, labelled by `label` (-1 drops a point). */
function points(n: number, seed: number, label: (x: number, y: number) => number) {
  const random = rng(seed);
  const xs: number[] = [];
  const ys: number[] = [];
  while (ys.length < n) {
    const [a, b] = [2 * random() - 1, 2 * random() - 1];
    const y = label(a, b);
    if (Math.abs(a) < 0.15 || Math.abs(b) < 0.15 || y < 0) continue;
    xs.push(a, b);
    ys.push(y);
  }
  return {
    x: new ort.Tensor('float32', Float32Array.from(xs), [n, 2]),
    y: new ort.Tensor('int64', BigInt64Array.from(ys.map(BigInt)), [n]),
    w: new ort.Tensor('float32', new Float32Array(n).fill(1), [n]),
    labels: ys,
  };
}

function classifierInputs(g: Graph) {
  return {
    x: g.input('x', 'float32', ['n', 2]),
    y: g.input('y', 'int64', ['n']),
    w: g.input('w', 'float32', ['n']),
  };
}

describe('createStepTrainer on toy problems', () => {
  it('softmax regression separates three linear sectors completely', async () => {
    const g = new Graph();
    const { x, y, w } = classifierInputs(g);
    const logits = op.add(
      op.matMul(x, g.param('weight', [2, 3], new Float32Array(6))),
      g.param('bias', [3], new Float32Array(3)),
    );
    const trainer = await createStepTrainer({
      graph: g,
      loss: op.crossEntropy(logits, y, w),
      extraOutputs: { logits },
      optimizer: ADAM,
    });
    // class = argmax(a, b, −a−b), with a margin around the boundaries
    const data = points(60, 1, (a, b) => {
      const scores = [a, b, -a - b];
      const best = Math.max(...scores);
      const second = scores.sort((p, q) => q - p)[1];
      return best - second < 0.1 ? -1 : [a, b, -a - b].indexOf(best);
    });
    const feeds = { x: data.x, y: data.y, w: data.w };
    let first = 0;
    let last = { loss: 0, outputs: {} as Record<string, Float32Array> };
    for (let i = 0; i < 200; i++) {
      last = await trainer.step(feeds, 0.1);
      if (i === 0) first = last.loss;
    }
    expect(first).toBeCloseTo(Math.log(3), 5);
    expect(argmaxRows(last.outputs.logits, 3)).toEqual(data.labels);
    await trainer.release();
  });

  it('a two-layer MLP learns XOR quadrants to 100%', async () => {
    const g = new Graph();
    const { x, y, w } = classifierInputs(g);
    const random = rng(3);
    const init = (n: number, scale: number) =>
      Float32Array.from({ length: n }, () => (2 * random() - 1) * scale);
    const hidden = op.tanh(
      op.add(op.matMul(x, g.param('w1', [2, 16], init(32, 1))), g.param('b1', [16], init(16, 0.1))),
    );
    const logits = op.add(
      op.matMul(hidden, g.param('w2', [16, 2], init(32, 0.5))),
      g.param('b2', [2], new Float32Array(2)),
    );
    const trainer = await createStepTrainer({
      graph: g,
      loss: op.crossEntropy(logits, y, w),
      extraOutputs: { logits },
      optimizer: { ...ADAM, weightDecay: 1e-4, clipNorm: 5 },
      noDecay: (name) => name.startsWith('b'),
    });
    const data = points(80, 2, (a, b) => (a * b > 0 ? 1 : 0));
    let last = { loss: 0, outputs: {} as Record<string, Float32Array> };
    for (let i = 0; i < 300; i++)
      last = await trainer.step({ x: data.x, y: data.y, w: data.w }, 0.03);
    expect(argmaxRows(last.outputs.logits, 2)).toEqual(data.labels);
    expect(last.loss).toBeLessThan(0.1);
    await trainer.release();
  });
});

/** Textbook AdamW in float64 (PyTorch order), with global-norm clipping and a decay mask. */
function referenceAdamW(
  params: Map<string, number[]>,
  gradsOf: (p: Map<string, number[]>) => Map<string, number[]>,
  opts: AdamWOptions,
  noDecay: (name: string) => boolean,
  lrs: number[],
) {
  const m = new Map([...params].map(([k, v]) => [k, v.map(() => 0)]));
  const v = new Map([...params].map(([k, v]) => [k, v.map(() => 0)]));
  const norms: number[] = [];
  lrs.forEach((lr, i) => {
    const t = i + 1;
    const grads = gradsOf(params);
    const norm = Math.sqrt([...grads.values()].flat().reduce((s, g) => s + g * g, 0));
    norms.push(norm);
    const clip = opts.clipNorm === undefined ? 1 : Math.min(1, opts.clipNorm / norm);
    for (const [name, p] of params) {
      const g = grads.get(name)!.map((x) => x * clip);
      const mi = m.get(name)!;
      const vi = v.get(name)!;
      const decay = noDecay(name) ? 0 : opts.weightDecay;
      p.forEach((_, j) => {
        mi[j] = opts.beta1 * mi[j] + (1 - opts.beta1) * g[j];
        vi[j] = opts.beta2 * vi[j] + (1 - opts.beta2) * g[j] * g[j];
        const mHat = mi[j] / (1 - opts.beta1 ** t);
        const vHat = vi[j] / (1 - opts.beta2 ** t);
        p[j] = p[j] * (1 - lr * decay) - (lr * mHat) / (Math.sqrt(vHat) + opts.eps);
      });
    }
  });
  return { params, norms };
}

describe('AdamW', () => {
  it('matches a hand-written float64 AdamW with clipping and a decay mask', async () => {
    // loss = ½‖w − a‖² + ½‖b − c‖², so the gradients are w − a and b − c
    const a = [3, -2, 0.5, 8];
    const c = [-1, 4];
    const start = new Map([
      ['w', [0.1, 0.2, -0.3, 0.4]],
      ['b', [1, -1]],
    ]);
    const g = new Graph();
    const w = g.param('w', [4], Float32Array.from(start.get('w')!));
    const b = g.param('b', [2], Float32Array.from(start.get('b')!));
    const half = (p: typeof w, target: number[]) => {
      const d = op.sub(p, g.constant(`${p.name}.target`, target, 'float32', [target.length]));
      return op.mul(op.reduceSum(op.mul(d, d), []), 0.5);
    };
    const opts: AdamWOptions = {
      beta1: 0.8,
      beta2: 0.95,
      eps: 1e-6,
      weightDecay: 0.1,
      clipNorm: 4,
    };
    const noDecay = (name: string) => name === 'b';
    const trainer = await createStepTrainer({
      graph: g,
      loss: op.add(half(w, a), half(b, c)),
      optimizer: opts,
      noDecay,
    });
    const lrs = [0.5, 0.3, 0.3, 0.1, 0.05];
    const norms: number[] = [];
    for (const lr of lrs) norms.push((await trainer.step({}, lr)).gradNorm);

    const targets = new Map([
      ['w', a],
      ['b', c],
    ]);
    const gradsOf = (p: Map<string, number[]>) =>
      new Map([...p].map(([k, v]) => [k, v.map((x, j) => x - targets.get(k)![j])]));
    const ref = referenceAdamW(
      new Map([...start].map(([k, v]) => [k, [...v]])),
      gradsOf,
      opts,
      noDecay,
      lrs,
    );
    norms.forEach((n, i) => expect(n).toBeCloseTo(ref.norms[i], 4));
    expect(ref.norms[0]).toBeGreaterThan(opts.clipNorm!); // the clip is exercised
    for (const [name, values] of trainer.params()) {
      Array.from(values).forEach((x, j) => expect(x).toBeCloseTo(ref.params.get(name)![j], 5));
    }
    await trainer.release();
  });
});

const TINY: TinyConfig = {
  vocab: 50,
  width: 16,
  heads: 2,
  layers: 2,
  ffn: 32,
  features: 3,
  maxSeq: 8,
  tags: 5,
  intents: 4,
  seed: 5,
};

async function tinyRun(steps: number) {
  const model = buildTinyTransformer(TINY);
  const trainer = await createStepTrainer({
    graph: model.graph,
    loss: model.loss,
    extraOutputs: { tags: model.tagLogits },
    optimizer: { ...ADAM, weightDecay: 0.01, clipNorm: 1 },
  });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++)
    losses.push((await trainer.step(tinyBatch(TINY, 4, 6, i), 1e-2)).loss);
  const params = trainer.params();
  await trainer.release();
  return { losses, params };
}

describe('step trainer behaviour', () => {
  it('gives bit-identical losses and weights for the same inputs twice', async () => {
    const one = await tinyRun(4);
    const two = await tinyRun(4);
    expect(two.losses).toEqual(one.losses);
    for (const [name, values] of one.params) {
      expect(
        Buffer.from(two.params.get(name)!.buffer).equals(Buffer.from(values.buffer)),
        name,
      ).toBe(true);
    }
    expect(one.losses[3]).toBeLessThan(one.losses[0]);
  });

  it('hands out params() copies that later steps leave alone', async () => {
    const model = buildTinyTransformer(TINY);
    const trainer = await createStepTrainer({
      graph: model.graph,
      loss: model.loss,
      optimizer: ADAM,
    });
    await trainer.step(tinyBatch(TINY, 2, 4, 1), 1e-2);
    const snapshot = trainer.params().get('tag.w')!;
    const before = snapshot.slice();
    await trainer.step(tinyBatch(TINY, 2, 4, 2), 1e-2);
    await trainer.step(tinyBatch(TINY, 2, 4, 3), 1e-2);
    expect(snapshot).toEqual(before);
    expect(trainer.params().get('tag.w')).not.toEqual(before);
    expect(trainer.steps).toBe(3);
    await trainer.release();
  });

  it('starts from `initial` weights without aliasing them', async () => {
    const g = new Graph();
    const p = g.param('p', [2], Float32Array.from([0, 0]));
    const initial = new Map([['p', Float32Array.from([5, 6])]]);
    const trainer = await createStepTrainer({
      graph: g,
      loss: op.reduceSum(op.mul(p, p), []),
      optimizer: ADAM,
      initial,
    });
    const r = await trainer.step({}, 0.1);
    expect(r.loss).toBe(61);
    expect(Array.from(initial.get('p')!)).toEqual([5, 6]);
    await trainer.release();
  });

  it('refuses a second step while one is running', async () => {
    const g = new Graph();
    const p = g.param('p', [2], Float32Array.from([1, 2]));
    const trainer = await createStepTrainer({
      graph: g,
      loss: op.reduceSum(op.mul(p, p), []),
      optimizer: ADAM,
    });
    const first = trainer.step({}, 0.1);
    await expect(trainer.step({}, 0.1)).rejects.toSatisfy((err: unknown) =>
      isParleyError(err, 'CONFLICT'),
    );
    await first;
    expect(trainer.steps).toBe(1);
    await trainer.release();
  });

  it('refuses extra outputs that are not float32', async () => {
    const g = new Graph();
    const p = g.param('p', [2], Float32Array.from([1, 2]));
    const loss = op.reduceSum(op.mul(p, p), []);
    const extraOutputs = { positive: op.greater(p, 0) };
    await expect(
      createStepTrainer({ graph: g, loss, optimizer: ADAM, extraOutputs }),
    ).rejects.toSatisfy(
      (err: unknown) =>
        isParleyError(err, 'GRAPH_SHAPE') &&
        /positive must be float32/.test((err as Error).message),
    );
  });

  it('names a missing feed', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const p = g.param('p', [2], new Float32Array(2));
    const trainer = await createStepTrainer({
      graph: g,
      loss: op.reduceSum(op.mul(x, p), []),
      optimizer: ADAM,
    });
    await expect(trainer.step({}, 0.1)).rejects.toSatisfy(
      (err: unknown) =>
        isParleyError(err, 'DATA_INVALID') && /graph input x/.test((err as Error).message),
    );
    await trainer.release();
  });
});

describe('cuda device', () => {
  it('explains how to install the CUDA binaries when they are missing', () => {
    let caught: unknown;
    try {
      checkCudaBinaries('/nonexistent/libonnxruntime_providers_cuda.so');
    } catch (err) {
      caught = err;
    }
    expect(isParleyError(caught, 'DEVICE_UNAVAILABLE')).toBe(true);
    expect((caught as Error).message).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci');
  });

  it('refuses device cuda with DEVICE_UNAVAILABLE when it cannot run', async () => {
    const g = new Graph();
    const p = g.param('p', [2], new Float32Array(2));
    const attempt = createStepTrainer({
      graph: g,
      loss: op.reduceSum(op.mul(p, p), []),
      optimizer: ADAM,
      device: 'cuda',
    });
    const lib = cudaProviderPath();
    if (lib !== undefined && !existsSync(lib)) {
      await expect(attempt).rejects.toSatisfy((err: unknown) =>
        isParleyError(err, 'DEVICE_UNAVAILABLE'),
      );
    } else {
      // binaries present: either it runs, or it fails with the same coded error
      await attempt.then(
        (t) => t.release(),
        (err: unknown) => expect(isParleyError(err, 'DEVICE_UNAVAILABLE')).toBe(true),
      );
    }
  });
});
