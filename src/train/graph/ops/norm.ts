/**
 * Layer normalisation over the last axis as one ONNX LayerNormalization node (opset 17), whose
 * extra outputs (the mean and 1/σ of every row) its gradient reuses.
 */
import { graphOf, type OpDef, type Value } from '../graph.js';
import { formatShape, shapeError } from '../shape.js';
import { mul, sub } from './arithmetic.js';
import { requireDtype } from './common.js';
import { reduceMean, reduceSum } from './reduce.js';

/** (x − mean) / √(var + eps) · gamma + beta; x [.., d], gamma and beta [d]. */
export function layerNorm(x: Value, gamma: Value, beta: Value, eps = 1e-5): Value {
  const op = 'layerNorm';
  requireDtype(op, 'x', x, ['float32']);
  const d = x.shape[x.shape.length - 1];
  for (const [name, v] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    if (v.shape.length !== 1 || v.shape[0] !== d) {
      throw shapeError(op, name, `[${d}] for x ${formatShape(x.shape)}`, formatShape(v.shape));
    }
  }
  const g = graphOf(op, x, gamma, beta);
  const attrs = { axis: { i: -1 }, epsilon: { f: eps } };
  const rowShape = [...x.shape.slice(0, -1), 1];
  // The gradient needs the mean and 1/σ outputs, which are made after y; the op's grad closes
  // over them.
  const stats: { mean?: Value; invStd?: Value } = {};
  const def: OpDef = {
    onnxType: 'LayerNormalization',
    grad: (gy) => layerNormGrad(gy, x, gamma, stats.mean as Value, stats.invStd as Value),
  };
  const inputs = [x, gamma, beta];
  const y = g.node(def, inputs, { dtype: 'float32', shape: [...x.shape] }, attrs);
  const statsOut = (outputIndex: number) =>
    g.node(def, inputs, { dtype: 'float32', shape: rowShape, outputIndex, sibling: y }, attrs);
  stats.mean = statsOut(1);
  stats.invStd = statsOut(2);
  return y;
}

/**
 * With x̂ = (x − mean)·s (s = 1/σ) and g = gy·gamma:
 *   dx = s · (g − mean(g) − x̂ · mean(g · x̂)),  dgamma = Σ gy · x̂,  dbeta = Σ gy
 * (means over the last axis, sums over all leading axes).
 */
function layerNormGrad(
  gy: Value,
  x: Value,
  gamma: Value,
  mean: Value,
  invStd: Value,
): (Value | undefined)[] {
  const normed = mul(sub(x, mean), invStd);
  const leading = [...Array(x.shape.length - 1).keys()];
  const dGamma = reduceSum(mul(gy, normed), leading);
  const dBeta = reduceSum(gy, leading);
  const g = mul(gy, gamma);
  const centred = sub(g, reduceMean(g, [-1], true));
  const dx = mul(sub(centred, mul(normed, reduceMean(mul(g, normed), [-1], true))), invStd);
  return [dx, dGamma, dBeta];
}
