/**
 * A float64 reference interpreter for the forward ops of a Graph, written independently of
 * onnxruntime from the ONNX operator definitions (opset 18). The gradient tests take finite
 * differences through it, so ORT's float32 gradients are checked against float64 arithmetic.
 */
import type { Graph, GraphNode, Value } from '../../../src/train/graph/graph.js';

/** Every dtype is held as float64 numbers; int64 and bool values are integral. */
export interface RefTensor {
  shape: number[];
  data: Float64Array;
}

export function tensor(shape: number[], data: ArrayLike<number>): RefTensor {
  return { shape, data: Float64Array.from(data) };
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function stridesOf(shape: readonly number[]): number[] {
  const s = Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

function unravel(index: number, shape: readonly number[]): number[] {
  const out = Array(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = index % shape[i];
    index = Math.floor(index / shape[i]);
  }
  return out;
}

/** Elementwise with numpy broadcasting over any number of inputs. */
function broadcast(ts: RefTensor[], f: (...xs: number[]) => number): RefTensor {
  const rank = Math.max(...ts.map((t) => t.shape.length));
  const padded = ts.map((t) => [...Array(rank - t.shape.length).fill(1), ...t.shape]);
  const shape = Array.from({ length: rank }, (_, i) => Math.max(...padded.map((p) => p[i])));
  const strides = padded.map((p) => stridesOf(p).map((s, i) => (p[i] === 1 ? 0 : s)));
  const data = new Float64Array(sizeOf(shape));
  for (let k = 0; k < data.length; k++) {
    const idx = unravel(k, shape);
    const args = ts.map((t, j) => t.data[idx.reduce((o, x, i) => o + x * strides[j][i], 0)]);
    data[k] = f(...args);
  }
  return { shape, data };
}

const map = (t: RefTensor, f: (x: number) => number): RefTensor => ({
  shape: [...t.shape],
  data: t.data.map(f),
});

const ints = (t: RefTensor): number[] => Array.from(t.data);
const attrI = (n: GraphNode, key: string, dflt?: number): number =>
  n.attrs[key] ? (n.attrs[key] as { i: number }).i : dflt!;

function reduce(x: RefTensor, axesIn: number[], keep: boolean, mean: boolean): RefTensor {
  const axes = axesIn.map((a) => (a < 0 ? a + x.shape.length : a));
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(sizeOf(keptShape));
  const ks = stridesOf(keptShape);
  for (let k = 0; k < x.data.length; k++) {
    const idx = unravel(k, x.shape);
    out[idx.reduce((o, v, i) => o + (axes.includes(i) ? 0 : v * ks[i]), 0)] += x.data[k];
  }
  const count = x.data.length / Math.max(out.length, 1);
  const data = mean ? out.map((v) => v / count) : out;
  return { shape: keep ? keptShape : x.shape.filter((_, i) => !axes.includes(i)), data };
}

function softmaxAlong(x: RefTensor, axisIn: number, logOut: boolean): RefTensor {
  const axis = axisIn < 0 ? axisIn + x.shape.length : axisIn;
  const d = x.shape[axis];
  const stride = stridesOf(x.shape)[axis];
  const out = new Float64Array(x.data.length);
  for (let k = 0; k < x.data.length; k++) {
    if (unravel(k, x.shape)[axis] !== 0) continue;
    const row = Array.from({ length: d }, (_, j) => x.data[k + j * stride]);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    row.forEach((v, j) => (out[k + j * stride] = logOut ? v - lse : Math.exp(v - lse)));
  }
  return { shape: [...x.shape], data: out };
}

function matMul(a: RefTensor, b: RefTensor): RefTensor {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const batchA = {
    shape: a.shape.slice(0, -2),
    data: new Float64Array(sizeOf(a.shape.slice(0, -2))).map((_, i) => i),
  };
  const batchB = {
    shape: b.shape.slice(0, -2),
    data: new Float64Array(sizeOf(b.shape.slice(0, -2))).map((_, i) => i),
  };
  const pairs: [number, number][] = [];
  const batch = broadcast([batchA, batchB], (i, j) => pairs.push([i, j]) - 1);
  const data = new Float64Array(pairs.length * m * n);
  pairs.forEach(([ia, ib], p) => {
    for (let r = 0; r < m; r++)
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let q = 0; q < k; q++)
          s += a.data[ia * m * k + r * k + q] * b.data[ib * k * n + q * n + c];
        data[p * m * n + r * n + c] = s;
      }
  });
  return { shape: [...batch.shape, m, n], data };
}

function transpose(x: RefTensor, perm: number[]): RefTensor {
  const shape = perm.map((p) => x.shape[p]);
  const xs = stridesOf(x.shape);
  const data = new Float64Array(x.data.length);
  for (let k = 0; k < data.length; k++) {
    const idx = unravel(k, shape);
    data[k] = x.data[idx.reduce((o, v, i) => o + v * xs[perm[i]], 0)];
  }
  return { shape, data };
}

function sliceAxis(x: RefTensor, start: number, end: number, axisIn: number): RefTensor {
  const axis = axisIn < 0 ? axisIn + x.shape.length : axisIn;
  const d = x.shape[axis];
  const clamp = (i: number): number => Math.min(Math.max(i < 0 ? i + d : i, 0), d);
  const s = clamp(start);
  const e = Math.max(s, clamp(end));
  const shape = [...x.shape];
  shape[axis] = e - s;
  const xs = stridesOf(x.shape);
  const data = new Float64Array(sizeOf(shape));
  for (let k = 0; k < data.length; k++) {
    const idx = unravel(k, shape);
    idx[axis] += s;
    data[k] = x.data[idx.reduce((o, v, i) => o + v * xs[i], 0)];
  }
  return { shape, data };
}

function concat(ts: RefTensor[], axis: number): RefTensor {
  const shape = [...ts[0].shape];
  shape[axis] = ts.reduce((s, t) => s + t.shape[axis], 0);
  const data = new Float64Array(sizeOf(shape));
  for (let k = 0; k < data.length; k++) {
    const idx = unravel(k, shape);
    let j = 0;
    while (idx[axis] >= ts[j].shape[axis]) idx[axis] -= ts[j++].shape[axis];
    const xs = stridesOf(ts[j].shape);
    data[k] = ts[j].data[idx.reduce((o, v, i) => o + v * xs[i], 0)];
  }
  return { shape, data };
}

function reshape(x: RefTensor, target: number[]): RefTensor {
  const shape = target.map((d, i) => (d === 0 ? x.shape[i] : d));
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return { shape: shape.map((d) => (d === -1 ? x.data.length / known : d)), data: x.data.slice() };
}

function unsqueeze(x: RefTensor, axes: number[]): RefTensor {
  const rank = x.shape.length + axes.length;
  const norm = axes.map((a) => (a < 0 ? a + rank : a));
  const shape: number[] = [];
  let src = 0;
  for (let i = 0; i < rank; i++) shape.push(norm.includes(i) ? 1 : x.shape[src++]);
  return { shape, data: x.data.slice() };
}

function gather(table: RefTensor, indices: RefTensor): RefTensor {
  const row = sizeOf(table.shape.slice(1));
  const data = new Float64Array(indices.data.length * row);
  indices.data.forEach((ix, i) => data.set(table.data.subarray(ix * row, ix * row + row), i * row));
  return { shape: [...indices.shape, ...table.shape.slice(1)], data };
}

function oneHot(labels: RefTensor, depth: number, values: RefTensor): RefTensor {
  const data = new Float64Array(labels.data.length * depth).fill(values.data[0]);
  labels.data.forEach((l, i) => (data[i * depth + l] = values.data[1]));
  return { shape: [...labels.shape, depth], data };
}

type Impl = (n: GraphNode, x: RefTensor[]) => RefTensor;

/** LayerNormalization over the last axis: output 0 is y, 1 the row means, 2 the rows' 1/σ. */
function layerNorm(n: GraphNode, x: RefTensor, gamma: RefTensor, beta: RefTensor): RefTensor {
  const d = x.shape[x.shape.length - 1];
  const rows = x.data.length / d;
  const eps = (n.attrs.epsilon as { f: number }).f;
  const y = new Float64Array(x.data.length);
  const means = new Float64Array(rows);
  const invStds = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: d }, (_, j) => x.data[r * d + j]);
    const mean = row.reduce((a, b) => a + b, 0) / d;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / d;
    means[r] = mean;
    invStds[r] = 1 / Math.sqrt(variance + eps);
    row.forEach((v, j) => (y[r * d + j] = (v - mean) * invStds[r] * gamma.data[j] + beta.data[j]));
  }
  const rowShape = [...x.shape.slice(0, -1), 1];
  return [tensor(x.shape, y), tensor(rowShape, means), tensor(rowShape, invStds)][n.outputIndex];
}

const IMPLS: Record<string, Impl> = {
  LayerNormalization: (n, [x, gamma, beta]) => layerNorm(n, x, gamma, beta),
  Add: (_, [a, b]) => broadcast([a, b], (x, y) => x + y),
  Sub: (_, [a, b]) => broadcast([a, b], (x, y) => x - y),
  Mul: (_, [a, b]) => broadcast([a, b], (x, y) => x * y),
  Div: (_, [a, b]) => broadcast([a, b], (x, y) => x / y),
  Max: (_, [a, b]) => broadcast([a, b], Math.max),
  Min: (_, [a, b]) => broadcast([a, b], Math.min),
  Pow: (_, [a, b]) => broadcast([a, b], Math.pow),
  Neg: (_, [x]) => map(x, (v) => -v),
  Exp: (_, [x]) => map(x, Math.exp),
  Log: (_, [x]) => map(x, Math.log),
  Sqrt: (_, [x]) => map(x, Math.sqrt),
  Tanh: (_, [x]) => map(x, Math.tanh),
  // ONNX Gelu with approximate="tanh".
  Gelu: (_, [x]) =>
    map(x, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))),
  Sigmoid: (_, [x]) => map(x, (v) => 1 / (1 + Math.exp(-v))),
  Relu: (_, [x]) => map(x, (v) => Math.max(v, 0)),
  Softmax: (n, [x]) => softmaxAlong(x, attrI(n, 'axis'), false),
  LogSoftmax: (n, [x]) => softmaxAlong(x, attrI(n, 'axis'), true),
  ReduceSum: (n, [x, axes]) => reduce(x, ints(axes), attrI(n, 'keepdims', 1) === 1, false),
  ReduceMean: (n, [x, axes]) => reduce(x, ints(axes), attrI(n, 'keepdims', 1) === 1, true),
  MatMul: (_, [a, b]) => matMul(a, b),
  Gather: (_, [t, i]) => gather(t, i),
  Reshape: (_, [x, s]) => reshape(x, ints(s)),
  Unsqueeze: (_, [x, a]) => unsqueeze(x, ints(a)),
  Squeeze: (_, [x, a]) => {
    const axes = ints(a).map((v) => (v < 0 ? v + x.shape.length : v));
    return { shape: x.shape.filter((_, i) => !axes.includes(i)), data: x.data.slice() };
  },
  Transpose: (n, [x]) => transpose(x, [...(n.attrs.perm as { ints: number[] }).ints]),
  Concat: (n, xs) => concat(xs, attrI(n, 'axis')),
  Slice: (_, [x, s, e, a]) => sliceAxis(x, s.data[0], e.data[0], a.data[0]),
  Cast: (n, [x]) =>
    map(x, (v) =>
      attrI(n, 'to') === 7 ? Math.trunc(v) : attrI(n, 'to') === 9 ? Number(v !== 0) : v,
    ),
  Equal: (_, [a, b]) => broadcast([a, b], (x, y) => Number(x === y)),
  Greater: (_, [a, b]) => broadcast([a, b], (x, y) => Number(x > y)),
  GreaterOrEqual: (_, [a, b]) => broadcast([a, b], (x, y) => Number(x >= y)),
  Less: (_, [a, b]) => broadcast([a, b], (x, y) => Number(x < y)),
  Not: (_, [x]) => map(x, (v) => Number(!v)),
  And: (_, [a, b]) => broadcast([a, b], (x, y) => Number(x && y)),
  Where: (_, [c, a, b]) => broadcast([c, a, b], (x, y, z) => (x ? y : z)),
  OneHot: (_, [l, d, v]) => oneHot(l, d.data[0], v),
  Shape: (n, [x]) => {
    const s = x.shape.slice(attrI(n, 'start', 0), attrI(n, 'end', x.shape.length));
    return tensor([s.length], s);
  },
  Size: (_, [x]) => tensor([], [x.data.length]),
};

/** Evaluates `outputs` in float64: params from `params` (or their init), inputs from `feeds`. */
export function evaluate(
  graph: Graph,
  outputs: Value[],
  feeds: Map<string, RefTensor>,
  params: Map<string, Float64Array> = new Map(),
): RefTensor[] {
  const memo = new Map<string, RefTensor>();
  const inits = new Map(graph.params.map((p) => [p.value.name, p]));

  const value = (v: Value): RefTensor => {
    const hit = memo.get(v.name);
    if (hit) return hit;
    const producer = graph.producerOf(v);
    let out: RefTensor;
    if (producer === 'input') out = feeds.get(v.name)!;
    else if (producer === 'param') {
      out = tensor(v.shape as number[], params.get(v.name) ?? inits.get(v.name)!.init);
    } else if (producer === 'constant') {
      const data = graph.constantOf(v)!;
      out = tensor(v.shape as number[], Array.from(data as ArrayLike<number | bigint>, Number));
    } else {
      const impl = IMPLS[producer.def.onnxType];
      if (!impl) throw new Error(`reference: no implementation of ${producer.def.onnxType}`);
      out = impl(producer, producer.inputs.map(value));
    }
    if (!out) throw new Error(`reference: no value for ${v.name}`);
    memo.set(v.name, out);
    return out;
  };

  return outputs.map(value);
}
