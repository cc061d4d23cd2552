/** Reshape, Unsqueeze, Squeeze, and the run-time shape helpers (Shape, Size, Expand). */
import { graphOf, type Attrs, type Dim, type OpDef, type Value } from '../graph.js';
import {
  broadcastShapes,
  dimProduct,
  dimQuotient,
  formatShape,
  normalizeAxis,
  shapeError,
} from '../shape.js';
import { sumToShape } from './common.js';

// Reshape's gradient reshapes back to the input's run-time shape, so symbolic dims just work.
const RESHAPE: OpDef = {
  onnxType: 'Reshape',
  grad: (gy, n) => [reshapeLike(gy, n.inputs[0]), undefined],
};

/**
 * Reshape with ONNX conventions: 0 copies the input dim at the same position, -1 is inferred.
 * A symbolic dim is allowed where it equals the input dim at the same position (emitted as 0)
 * or as the one inferred dim (emitted as -1).
 */
export function reshape(x: Value, shape: Dim[]): Value {
  const op = 'reshape';
  const g = graphOf(op, x);
  const emitted: number[] = [];
  const out: Dim[] = [];
  let inferred = -1;

  shape.forEach((d, i) => {
    if (d === 0 || (typeof d === 'string' && x.shape[i] === d)) {
      if (i >= x.shape.length)
        throw shapeError(op, 'shape', `0 only below rank ${x.shape.length}`, formatShape(shape));
      emitted.push(0);
      out.push(x.shape[i]);
    } else if (d === -1 || typeof d === 'string') {
      if (inferred >= 0) {
        throw shapeError(
          op,
          'shape',
          'at most one inferred (-1 or new symbolic) dim',
          formatShape(shape),
        );
      }
      inferred = i;
      emitted.push(-1);
      out.push(d);
    } else if (Number.isInteger(d) && d > 0) {
      emitted.push(d);
      out.push(d);
    } else {
      throw shapeError(
        op,
        'shape',
        'positive integers, 0, -1 or symbolic dims',
        formatShape(shape),
      );
    }
  });

  const total = dimProduct(x.shape);
  if (inferred >= 0) {
    const rest = dimProduct(out.filter((_, i) => i !== inferred));
    const q = dimQuotient(total, rest);
    const named = out[inferred];
    if (q !== undefined && typeof named === 'string' && q !== named && typeof q === 'number') {
      throw shapeError(op, 'shape', `${formatShape(x.shape)} to fit`, formatShape(shape));
    }
    out[inferred] = typeof named === 'string' ? named : (q ?? g.fresh(`${x.name}_dim${inferred}`));
  } else if (typeof total === 'number' && dimProduct(out) !== total) {
    throw shapeError(
      op,
      'shape',
      `${total} elements as in ${formatShape(x.shape)}`,
      formatShape(shape),
    );
  }

  return g.node(RESHAPE, [x, g.ints(emitted)], { dtype: x.dtype, shape: out });
}

/** Reshapes x to the run-time shape of `like` (static shape taken from `like`). */
export function reshapeLike(x: Value, like: Value): Value {
  const g = graphOf('reshapeLike', x, like);
  return g.node(RESHAPE, [x, shapeOf(like)], { dtype: x.dtype, shape: [...like.shape] });
}

/**
 * Reshapes x to a shape computed at run time (an int64 [rank] value); `shape` states the
 * result's dims for the builder. Nothing checks the two agree until onnxruntime runs.
 */
export function reshapeTo(x: Value, target: Value, shape: Dim[]): Value {
  const g = graphOf('reshapeTo', x, target);
  if (target.dtype !== 'int64' || target.shape.length !== 1 || target.shape[0] !== shape.length) {
    throw shapeError('reshapeTo', 'target', `int64 [${shape.length}]`, formatShape(target.shape));
  }
  return g.node(RESHAPE, [x, target], { dtype: x.dtype, shape: [...shape] });
}

const SHAPE: OpDef = { onnxType: 'Shape', grad: null };
const SIZE: OpDef = { onnxType: 'Size', grad: null };

/** The run-time shape of x as int64 [rank], or the dims [start, end) of it. */
export function shapeOf(x: Value, start?: number, end?: number): Value {
  const rank = x.shape.length;
  const s = start ?? 0;
  const e = end ?? rank;
  const attrs: Attrs = start === undefined ? {} : { start: { i: s }, end: { i: e } };
  return graphOf('shapeOf', x).node(SHAPE, [x], { dtype: 'int64', shape: [e - s] }, attrs);
}

/** The run-time element count of x as an int64 scalar. */
export function size(x: Value): Value {
  return graphOf('size', x).node(SIZE, [x], { dtype: 'int64', shape: [] });
}

const EXPAND: OpDef = {
  onnxType: 'Expand',
  grad: (gy, n) => [sumToShape(gy, n.inputs[0].shape), undefined],
};

/** Broadcasts x to the run-time shape of `like`. */
export function expandLike(x: Value, like: Value): Value {
  const shape = broadcastShapes('expandLike', like.shape, x.shape, ['like', 'x']);
  return graphOf('expandLike', x, like).node(EXPAND, [x, shapeOf(like)], { dtype: x.dtype, shape });
}

function axesOf(n: {
  graph: { constantOf(v: Value): unknown };
  inputs: readonly Value[];
}): number[] {
  return Array.from(n.graph.constantOf(n.inputs[1]) as BigInt64Array, Number);
}

const UNSQUEEZE: OpDef = {
  onnxType: 'Unsqueeze',
  grad: (gy, n) => [squeeze(gy, axesOf(n)), undefined],
};
const SQUEEZE: OpDef = {
  onnxType: 'Squeeze',
  grad: (gy, n) => [unsqueeze(gy, axesOf(n)), undefined],
};

/** Inserts size-1 dims; axes refer to the output rank. */
export function unsqueeze(x: Value, axes: number[]): Value {
  const rank = x.shape.length + axes.length;
  const norm = [...new Set(axes.map((a) => normalizeAxis('unsqueeze', a, rank)))].sort(
    (a, b) => a - b,
  );
  if (norm.length !== axes.length)
    throw shapeError('unsqueeze', 'axes', 'distinct axes', `[${axes}]`);
  const out: Dim[] = [];
  let src = 0;
  for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : x.shape[src++]);
  const g = graphOf('unsqueeze', x);
  return g.node(UNSQUEEZE, [x, g.ints(norm)], { dtype: x.dtype, shape: out });
}

/** Removes size-1 dims; every listed dim must be a literal 1. */
export function squeeze(x: Value, axes: number[]): Value {
  const rank = x.shape.length;
  const norm = [...new Set(axes.map((a) => normalizeAxis('squeeze', a, rank)))].sort(
    (a, b) => a - b,
  );
  for (const a of norm) {
    if (x.shape[a] !== 1) {
      throw shapeError('squeeze', 'x', `dim ${a} to be 1`, `${formatShape(x.shape)} (${x.name})`);
    }
  }
  const g = graphOf('squeeze', x);
  const out = x.shape.filter((_, i) => !norm.includes(i));
  return g.node(SQUEEZE, [x, g.ints(norm)], { dtype: x.dtype, shape: out });
}
