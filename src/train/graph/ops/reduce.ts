/** ReduceSum and ReduceMean over a list of axes (axes are an input since opset 18). */
import { graphOf, type Dim, type NodeView, type OpDef, type Value } from '../graph.js';
import { normalizeAxis, shapeError, staticSize } from '../shape.js';
import { div, mul } from './arithmetic.js';
import { requireDtype } from './common.js';
import { cast } from './cast.js';
import { expandLike, size, unsqueeze } from './reshape.js';

interface ReduceAttrs {
  axes: number[];
  keepdims: boolean;
}

/** Broadcasts the output gradient back over the reduced axes. */
function spread(gy: Value, x: Value, attrs: ReduceAttrs): Value {
  const kept = attrs.keepdims ? gy : unsqueeze(gy, attrs.axes);
  return expandLike(kept, x);
}

/** Reads the axes back from the constant axes input and keepdims from the attribute. */
function attrsOf(n: NodeView): ReduceAttrs {
  const axes = n.graph.constantOf(n.inputs[1]) as BigInt64Array;
  const keepdims = n.attrs.keepdims as { i: number };
  return { axes: Array.from(axes, Number), keepdims: keepdims.i === 1 };
}

const REDUCE_SUM: OpDef = {
  onnxType: 'ReduceSum',
  grad: (gy, n) => [spread(gy, n.inputs[0], attrsOf(n)), undefined],
};

const REDUCE_MEAN: OpDef = {
  onnxType: 'ReduceMean',
  grad: (gy, n) => {
    const x = n.inputs[0];
    const attrs = attrsOf(n);
    const reduced = attrs.axes.map((a) => x.shape[a]);
    const count = staticSize(reduced);
    // With symbolic reduced dims the count is only known at run time: size(x) / size(y).
    const scale =
      count !== undefined
        ? 1 / count
        : div(cast(size(n.output), 'float32'), cast(size(x), 'float32'));
    return [spread(mul(gy, scale), x, attrs), undefined];
  },
};

function reduce(def: OpDef, op: string, x: Value, axes: number[], keepdims: boolean): Value {
  requireDtype(op, 'x', x, ['float32', 'float64', 'int64']);
  const rank = x.shape.length;
  const norm = (axes.length === 0 ? [...Array(rank).keys()] : axes).map((a) =>
    normalizeAxis(op, a, rank),
  );
  const sorted = [...new Set(norm)].sort((a, b) => a - b);
  if (sorted.length !== norm.length) throw shapeError(op, 'axes', 'distinct axes', `[${axes}]`);
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!sorted.includes(i)) shape.push(d);
    else if (keepdims) shape.push(1);
  });
  const g = graphOf(op, x);
  return g.node(
    def,
    [x, g.ints(sorted)],
    { dtype: x.dtype, shape },
    {
      keepdims: { i: keepdims ? 1 : 0 },
    },
  );
}

/** Sum over `axes` (all axes when empty); negative axes count from the end. */
export const reduceSum = (x: Value, axes: number[], keepdims = false): Value =>
  reduce(REDUCE_SUM, 'reduceSum', x, axes, keepdims);

/** Mean over `axes` (all axes when empty); negative axes count from the end. */
export const reduceMean = (x: Value, axes: number[], keepdims = false): Value =>
  reduce(REDUCE_MEAN, 'reduceMean', x, axes, keepdims);
