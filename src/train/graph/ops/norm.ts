/** Layer normalisation over the last axis, composed from primitives (its gradient follows). */
import type { Value } from '../graph.js';
import { formatShape, shapeError } from '../shape.js';
import { add, div, mul, sub } from './arithmetic.js';
import { requireDtype } from './common.js';
import { reduceMean } from './reduce.js';
import { sqrt } from './unary.js';

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
  const centered = sub(x, reduceMean(x, [-1], true));
  const variance = reduceMean(mul(centered, centered), [-1], true);
  const normed = div(centered, sqrt(add(variance, eps)));
  return add(mul(normed, gamma), beta);
}
