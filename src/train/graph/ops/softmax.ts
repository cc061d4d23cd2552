/** Softmax and LogSoftmax over one axis (opset 13+ semantics: a single axis, not flattened). */
import { graphOf, type OpDef, type Value } from '../graph.js';
import { normalizeAxis } from '../shape.js';
import { mul, sub } from './arithmetic.js';
import { requireDtype } from './common.js';
import { reduceSum } from './reduce.js';
import { exp } from './unary.js';

const axisOf = (n: { attrs: Record<string, unknown> }): number => (n.attrs.axis as { i: number }).i;

// dx = y ⊙ (gy − Σ gy⊙y)
const SOFTMAX: OpDef = {
  onnxType: 'Softmax',
  grad: (gy, n) => {
    const y = n.output;
    return [mul(y, sub(gy, reduceSum(mul(gy, y), [axisOf(n)], true)))];
  },
};

// dx = gy − softmax ⊙ Σ gy, with softmax = exp(y)
const LOG_SOFTMAX: OpDef = {
  onnxType: 'LogSoftmax',
  grad: (gy, n) => [sub(gy, mul(exp(n.output), reduceSum(gy, [axisOf(n)], true)))],
};

function build(def: OpDef, op: string, x: Value, axis: number): Value {
  requireDtype(op, 'x', x, ['float32']);
  const a = normalizeAxis(op, axis, x.shape.length);
  return graphOf(op, x).node(
    def,
    [x],
    { dtype: 'float32', shape: [...x.shape] },
    { axis: { i: a } },
  );
}

export const softmax = (x: Value, axis = -1): Value => build(SOFTMAX, 'softmax', x, axis);
export const logSoftmax = (x: Value, axis = -1): Value => build(LOG_SOFTMAX, 'logSoftmax', x, axis);
