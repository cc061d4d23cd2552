import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../../src/train/graph/graph.js';
import { grad } from '../../../src/train/graph/grad.js';
import { buildModel } from '../../../src/train/graph/export.js';
import * as op from '../../../src/train/graph/ops/index.js';
import { checkGradients, type GradCase } from './grad-check.js';

const f = (shape: number[], positive = false) => ({ shape, positive });

const CASES: GradCase[] = [
  // matMul
  {
    label: 'matMul 2-D',
    params: { a: f([3, 4]), b: f([4, 5]) },
    build: (p) => op.matMul(p.a, p.b),
  },
  {
    label: 'matMul batched × weight',
    params: { a: f([2, 3, 4]), b: f([4, 5]) },
    build: (p) => op.matMul(p.a, p.b),
  },
  {
    label: 'matMul batched × batched',
    params: { a: f([2, 3, 4]), b: f([2, 4, 2]) },
    build: (p) => op.matMul(p.a, p.b),
  },
  {
    label: 'matMul broadcast batch dims',
    params: { a: f([2, 1, 3, 4]), b: f([3, 4, 2]) },
    build: (p) => op.matMul(p.a, p.b),
  },
  // broadcasting arithmetic
  { label: 'add [2,3] + [3]', params: { a: f([2, 3]), b: f([3]) }, build: (p) => op.add(p.a, p.b) },
  {
    label: 'sub [2,1,4] - [3,1]',
    params: { a: f([2, 1, 4]), b: f([3, 1]) },
    build: (p) => op.sub(p.a, p.b),
  },
  {
    label: 'mul [2,3] * [2,1]',
    params: { a: f([2, 3]), b: f([2, 1]) },
    build: (p) => op.mul(p.a, p.b),
  },
  {
    label: 'div [2,3] / [1,3]',
    params: { a: f([2, 3]), b: f([1, 3], true) },
    build: (p) => op.div(p.a, p.b),
  },
  {
    label: 'div by a scalar param',
    params: { a: f([2, 3]), b: f([], true) },
    build: (p) => op.div(p.a, p.b),
  },
  { label: 'number operands', params: { a: f([4]) }, build: (p) => op.sub(2, op.mul(p.a, 2.5)) },
  {
    label: 'maximum and minimum',
    params: { a: f([2, 3]), b: f([3]) },
    build: (p) => op.add(op.maximum(p.a, p.b), op.mul(op.minimum(p.a, p.b), 3)),
  },
  {
    label: 'pow with positive base',
    params: { a: f([2, 3], true), b: f([3]) },
    build: (p) => op.pow(p.a, p.b),
  },
  // unary
  { label: 'neg', params: { x: f([5]) }, build: (p) => op.neg(p.x) },
  { label: 'exp', params: { x: f([5]) }, build: (p) => op.exp(p.x) },
  { label: 'log', params: { x: f([5], true) }, build: (p) => op.log(p.x) },
  { label: 'sqrt', params: { x: f([5], true) }, build: (p) => op.sqrt(p.x) },
  { label: 'tanh', params: { x: f([5]) }, build: (p) => op.tanh(p.x) },
  { label: 'sigmoid', params: { x: f([5]) }, build: (p) => op.sigmoid(p.x) },
  { label: 'relu', params: { x: f([8]) }, build: (p) => op.relu(p.x) },
  { label: 'gelu', params: { x: f([8]) }, build: (p) => op.gelu(op.mul(p.x, 3)) },
  // softmax family
  { label: 'softmax last axis', params: { x: f([3, 4]) }, build: (p) => op.softmax(p.x, -1) },
  { label: 'softmax axis 0', params: { x: f([3, 4]) }, build: (p) => op.softmax(p.x, 0) },
  { label: 'logSoftmax', params: { x: f([2, 3, 4]) }, build: (p) => op.logSoftmax(p.x, 1) },
  // reductions
  { label: 'reduceSum axis 1', params: { x: f([2, 3, 4]) }, build: (p) => op.reduceSum(p.x, [1]) },
  {
    label: 'reduceSum axes 0,2 keepdims',
    params: { x: f([2, 3, 4]) },
    build: (p) => op.reduceSum(p.x, [0, -1], true),
  },
  { label: 'reduceMean all axes', params: { x: f([2, 3]) }, build: (p) => op.reduceMean(p.x, []) },
  {
    label: 'reduceMean axis -1',
    params: { x: f([2, 3]) },
    build: (p) => op.reduceMean(p.x, [-1], true),
  },
  // gather
  {
    label: 'gather with repeated indices',
    params: { table: f([5, 3]) },
    inputs: {
      ids: { dtype: 'int64', shape: [2, 4], runShape: [2, 4], data: [1, 3, 1, 1, 0, 4, 3, 1] },
    },
    build: (p, i) => op.gather(p.table, i.ids),
  },
  {
    label: 'gather + reduceSum over feature ids',
    params: { table: f([6, 2]) },
    inputs: {
      ids: {
        dtype: 'int64',
        shape: ['batch', 2, 3],
        runShape: [1, 2, 3],
        data: [5, 5, 0, 2, 5, 2],
      },
    },
    build: (p, i) => op.reduceSum(op.gather(p.table, i.ids), [2]),
  },
  // layout
  { label: 'reshape with -1', params: { x: f([2, 3, 4]) }, build: (p) => op.reshape(p.x, [-1, 4]) },
  { label: 'transpose', params: { x: f([2, 3, 4]) }, build: (p) => op.transpose(p.x, [2, 0, 1]) },
  {
    label: 'concat axis 1',
    params: { a: f([2, 1]), b: f([2, 3]), c: f([2, 2]) },
    build: (p) => op.concat([p.a, p.b, p.c], 1),
  },
  { label: 'sliceAxis', params: { x: f([4, 5]) }, build: (p) => op.sliceAxis(p.x, 1, 1, 4) },
  {
    label: 'sliceAxis negative start',
    params: { x: f([4, 5]) },
    build: (p) => op.sliceAxis(p.x, 0, -2),
  },
  {
    label: 'unsqueeze and squeeze',
    params: { x: f([3, 1, 2]) },
    build: (p) => op.unsqueeze(op.squeeze(p.x, [1]), [0, 3]),
  },
  // masks
  {
    label: 'where with broadcast branches',
    params: { a: f([2, 3]), b: f([3]) },
    inputs: { keep: { dtype: 'bool', shape: [2, 3], runShape: [2, 3], data: [1, 0, 1, 0, 0, 1] } },
    build: (p, i) => op.where(i.keep, p.a, p.b),
  },
  {
    label: 'masked attention softmax',
    params: { s: f([2, 1, 3, 3]) },
    inputs: {
      mask: { dtype: 'float32', shape: [2, 3], runShape: [2, 3], data: [1, 1, 0, 1, 1, 1] },
    },
    build: (p, i) => op.softmax(op.add(p.s, op.attentionBias(i.mask)), -1),
  },
  {
    label: 'layerNorm',
    params: { x: f([3, 4]), gamma: f([4]), beta: f([4]) },
    build: (p) => op.layerNorm(op.mul(p.x, 2), p.gamma, p.beta),
  },
  {
    label: 'layerNorm over [2,3,5] (gain and bias summed over two leading axes)',
    params: { x: f([2, 3, 5]), gamma: f([5]), beta: f([5]) },
    build: (p) => op.layerNorm(op.mul(p.x, 2), p.gamma, p.beta),
  },
  // composites
  {
    label: 'crossEntropy with weights',
    params: { logits: f([4, 3]) },
    inputs: {
      labels: { dtype: 'int64', shape: [4], runShape: [4], data: [0, 2, 1, 2] },
      weights: { dtype: 'float32', shape: [4], runShape: [4], data: [1, 0.5, 0, 2] },
    },
    build: (p, i) => op.crossEntropy(op.mul(p.logits, 3), i.labels, i.weights),
  },
  // symbolic dims: gradients that need run-time shapes
  {
    label: 'symbolic batch and seq',
    params: { w: f([4, 2]) },
    inputs: {
      x: {
        dtype: 'float32',
        shape: ['batch', 'seq', 4],
        runShape: [2, 3, 4],
        data: Array.from({ length: 24 }, (_, k) => Math.sin(k)),
      },
    },
    build: (p, i) => {
      const h = op.matMul(i.x, p.w);
      const rows = op.reshape(h, [-1, 2]);
      const mean = op.reduceMean(rows, [0], true);
      const tail = op.sliceAxis(h, 1, 1);
      const joined = op.concat([tail, h], 1);
      return op.add(op.reduceMean(joined, [1]), mean);
    },
  },
];

describe('op gradients against float64 finite differences', () => {
  it.each(CASES.map((c) => [c.label, c] as const))('%s', async (_, c) => {
    const report = await checkGradients(c);
    expect(report.worst, report.where).toBeLessThanOrEqual(1);
    expect(report.ortLoss).toBeCloseTo(report.refLoss, 4);
  });
});

describe('hand-computed gradients', () => {
  it('matMul plus gather gives the worked example', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['batch', 3]);
    const ids = g.input('ids', 'int64', ['batch']);
    const w = g.param('w', [3, 2], Float32Array.from([1, 2, 3, 4, 5, 6]));
    const emb = g.param('emb', [4, 2], Float32Array.from([1, 1, 2, 2, 3, 3, 4, 4]));
    // h = x·w + emb[ids] = [[3, 4], [5, 6]]; loss = mean(h²) = 21.5; dh = h / 2
    const loss = op.reduceMean(
      op.mul(
        op.add(op.matMul(x, w), op.gather(emb, ids)),
        op.add(op.matMul(x, w), op.gather(emb, ids)),
      ),
      [],
    );
    const grads = grad(g, loss, [w, emb]);
    const model = buildModel(
      g,
      { loss, gw: grads.get('w')!, gemb: grads.get('emb')! },
      { params: 'inputs', graphName: 't' },
    );
    const session = await ort.InferenceSession.create(model);
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 0, 0, 0, 1, 0]), [2, 3]),
      ids: new ort.Tensor('int64', BigInt64Array.from([1n, 1n]), [2]),
      w: new ort.Tensor('float32', g.params[0].init, [3, 2]),
      emb: new ort.Tensor('float32', g.params[1].init, [4, 2]),
    });
    expect(out.loss.data[0]).toBe(21.5);
    expect(Array.from(out.gw.data as Float32Array)).toEqual([1.5, 2, 2.5, 3, 0, 0]);
    expect(Array.from(out.gemb.data as Float32Array)).toEqual([0, 0, 4, 5, 0, 0, 0, 0]);
    await session.release();
  });

  it('crossEntropy of uniform logits is ln C with gradient (p - onehot) / N', async () => {
    const g = new Graph();
    const logits = g.param('logits', [2, 4], new Float32Array(8));
    const labels = g.constant('labels', [3, 0], 'int64', [2]);
    const weights = g.constant('weights', [1, 1], 'float32', [2]);
    const loss = op.crossEntropy(logits, labels, weights);
    const model = buildModel(
      g,
      { loss, g: grad(g, loss, [logits]).get('logits')! },
      { params: 'inputs', graphName: 't' },
    );
    const session = await ort.InferenceSession.create(model);
    const out = await session.run({
      logits: new ort.Tensor('float32', new Float32Array(8), [2, 4]),
    });
    expect(out.loss.data[0]).toBeCloseTo(Math.log(4), 6);
    const expected = [0.125, 0.125, 0.125, -0.375, -0.375, 0.125, 0.125, 0.125];
    Array.from(out.g.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    await session.release();
  });
});

describe('numerical edge cases', () => {
  it('softmax, logSoftmax and crossEntropy stay finite for huge logits', async () => {
    const g = new Graph();
    const x = g.param('x', [1, 3], Float32Array.from([1000, 0, -1000]));
    const sm = op.softmax(x, -1);
    const lsm = op.logSoftmax(x, -1);
    const loss = op.crossEntropy(
      x,
      g.constant('y', [2], 'int64', [1]),
      g.constant('w', [1], 'float32', [1]),
    );
    const gx = grad(g, loss, [x]).get('x')!;
    const model = buildModel(g, { sm, lsm, loss, gx }, { params: 'inputs', graphName: 't' });
    const session = await ort.InferenceSession.create(model);
    const out = await session.run({ x: new ort.Tensor('float32', g.params[0].init, [1, 3]) });
    expect(Array.from(out.sm.data as Float32Array)).toEqual([1, 0, 0]);
    expect(Array.from(out.lsm.data as Float32Array)).toEqual([0, -1000, -2000]);
    expect(out.loss.data[0]).toBe(2000);
    expect(Array.from(out.gx.data as Float32Array)).toEqual([1, 0, -1]);
    await session.release();
  });

  it('crossEntropy with every weight 0 is 0, not NaN', async () => {
    const g = new Graph();
    const x = g.param('x', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]));
    const loss = op.crossEntropy(
      x,
      g.constant('y', [0, 1], 'int64', [2]),
      g.constant('w', [0, 0], 'float32', [2]),
    );
    const model = buildModel(
      g,
      { loss, gx: grad(g, loss, [x]).get('x')! },
      { params: 'inputs', graphName: 't' },
    );
    const session = await ort.InferenceSession.create(model);
    const out = await session.run({ x: new ort.Tensor('float32', g.params[0].init, [2, 3]) });
    expect(out.loss.data[0]).toBe(0);
    expect(Array.from(out.gx.data as Float32Array).every((v) => v === 0)).toBe(true);
    await session.release();
  });
});
