/**
 * Finite-difference gradient checking: ORT's float32 gradients from grad() against central
 * differences of a float64 reference evaluation (reference.ts) of the same graph.
 */
import * as ort from 'onnxruntime-node';
import { Graph, type Dim, type DType, type Value } from '../../../src/train/graph/graph.js';
import { grad } from '../../../src/train/graph/grad.js';
import { buildModel } from '../../../src/train/graph/export.js';
import { mul, reduceSum } from '../../../src/train/graph/ops/index.js';
import { evaluate, tensor, type RefTensor } from './reference.js';

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ParamSpec {
  shape: number[];
  /** Explicit values; otherwise uniform in [-1, 1), or [0.5, 2) when `positive`. */
  data?: number[];
  positive?: boolean;
}

export interface InputSpec {
  dtype: DType;
  /** Declared (possibly symbolic) shape. */
  shape: Dim[];
  /** Actual shape fed at run time. */
  runShape: number[];
  data: number[];
}

export interface GradCase {
  label: string;
  params: Record<string, ParamSpec>;
  inputs?: Record<string, InputSpec>;
  build: (params: Record<string, Value>, inputs: Record<string, Value>) => Value;
  /** Finite-difference step. */
  h?: number;
  rtol?: number;
  atol?: number;
}

export interface GradReport {
  /** Largest |ort - fd| / (atol + rtol·|fd|); passes when ≤ 1. */
  worst: number;
  where: string;
  ortLoss: number;
  refLoss: number;
}

function feedTensor(dtype: DType, shape: number[], data: ArrayLike<number>): ort.Tensor {
  if (dtype === 'int64')
    return new ort.Tensor('int64', BigInt64Array.from(Array.from(data, BigInt)), shape);
  if (dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(data), shape);
  return new ort.Tensor('float32', Float32Array.from(data), shape);
}

export async function checkGradients(c: GradCase): Promise<GradReport> {
  const random = rng(7);
  const g = new Graph();
  const params: Record<string, Value> = {};
  for (const [name, spec] of Object.entries(c.params)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const init =
      spec.data ??
      Array.from({ length: size }, () => (spec.positive ? 0.5 + 1.5 * random() : 2 * random() - 1));
    params[name] = g.param(name, spec.shape, Float32Array.from(init));
  }
  const inputs: Record<string, Value> = {};
  const feeds = new Map<string, RefTensor>();
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, spec] of Object.entries(c.inputs ?? {})) {
    inputs[name] = g.input(name, spec.dtype, spec.shape);
    const data = spec.dtype === 'float32' ? spec.data.map(Math.fround) : spec.data;
    feeds.set(name, tensor(spec.runShape, data));
    ortFeeds[name] = feedTensor(spec.dtype, spec.runShape, data);
  }

  // loss = Σ out ⊙ r with random r, so every output element matters with its own weight
  const out = c.build(params, inputs);
  const outShape = evaluate(g, [out], feeds)[0].shape;
  const r = g.input('fd_weights', 'float32', [...out.shape]);
  const rData = Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, () =>
    Math.fround(2 * random() - 1),
  );
  feeds.set('fd_weights', tensor(outShape, rData));
  ortFeeds.fd_weights = feedTensor('float32', outShape, rData);
  const loss = reduceSum(mul(out, r), []);

  // ORT gradients
  const paramList = Object.values(params);
  const grads = grad(g, loss, paramList);
  const outputs: Record<string, Value> = { loss };
  for (const p of paramList) outputs[`grad.${p.name}`] = grads.get(p.name)!;
  const session = await ort.InferenceSession.create(
    buildModel(g, outputs, { params: 'inputs', graphName: 'check' }),
  );
  for (const p of g.params)
    ortFeeds[p.value.name] = new ort.Tensor('float32', p.init, p.value.shape as number[]);
  const result = await session.run(ortFeeds);
  await session.release();

  // float64 central differences
  const base = new Map(g.params.map((p) => [p.value.name, Float64Array.from(p.init)]));
  const refLoss = (): number => evaluate(g, [loss], feeds, base)[0].data[0];
  const h = c.h ?? 1e-4;
  const rtol = c.rtol ?? 2e-3;
  const atol = c.atol ?? 2e-4;
  const report: GradReport = {
    worst: 0,
    where: '',
    ortLoss: (result.loss.data as Float32Array)[0],
    refLoss: refLoss(),
  };
  for (const p of paramList) {
    const values = base.get(p.name)!;
    const ortGrad = result[`grad.${p.name}`].data as Float32Array;
    for (let i = 0; i < values.length; i++) {
      const keep = values[i];
      values[i] = keep + h;
      const up = refLoss();
      values[i] = keep - h;
      const down = refLoss();
      values[i] = keep;
      const fd = (up - down) / (2 * h);
      const err = Math.abs(ortGrad[i] - fd) / (atol + rtol * Math.abs(fd));
      if (!(err <= report.worst)) {
        report.worst = Number.isNaN(err) ? Infinity : err;
        report.where = `${p.name}[${i}]: ort ${ortGrad[i]} vs fd ${fd}`;
      }
    }
  }
  return report;
}
