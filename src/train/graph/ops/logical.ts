/** Comparisons, boolean logic, Where, and the mask helpers built on them. */
import { graphOf, type OpDef, type Value } from '../graph.js';
import { broadcastShapes } from '../shape.js';
import { binaryOperands, requireDtype, requireRank, sumToShape, type Operand } from './common.js';
import { cast } from './cast.js';
import { mul, sub } from './arithmetic.js';
import { unsqueeze } from './reshape.js';

// Comparisons and logic produce bool, which never carries a gradient.
const EQUAL: OpDef = { onnxType: 'Equal', grad: null };
const GREATER: OpDef = { onnxType: 'Greater', grad: null };
const GREATER_OR_EQUAL: OpDef = { onnxType: 'GreaterOrEqual', grad: null };
const LESS: OpDef = { onnxType: 'Less', grad: null };
const NOT: OpDef = { onnxType: 'Not', grad: null };
const AND: OpDef = { onnxType: 'And', grad: null };

function compare(def: OpDef, op: string, a: Operand, b: Operand): Value {
  const [g, va, vb] = binaryOperands(op, a, b);
  if (va.dtype !== vb.dtype) requireDtype(op, 'b', vb, [va.dtype]);
  const shape = broadcastShapes(op, va.shape, vb.shape, ['a', 'b']);
  return g.node(def, [va, vb], { dtype: 'bool', shape });
}

export const equal = (a: Operand, b: Operand): Value => compare(EQUAL, 'equal', a, b);
export const greater = (a: Operand, b: Operand): Value => compare(GREATER, 'greater', a, b);
export const greaterOrEqual = (a: Operand, b: Operand): Value =>
  compare(GREATER_OR_EQUAL, 'greaterOrEqual', a, b);
export const less = (a: Operand, b: Operand): Value => compare(LESS, 'less', a, b);

export function logicalNot(x: Value): Value {
  requireDtype('logicalNot', 'x', x, ['bool']);
  return graphOf('logicalNot', x).node(NOT, [x], { dtype: 'bool', shape: [...x.shape] });
}

export function logicalAnd(a: Value, b: Value): Value {
  requireDtype('logicalAnd', 'a', a, ['bool']);
  requireDtype('logicalAnd', 'b', b, ['bool']);
  const shape = broadcastShapes('logicalAnd', a.shape, b.shape, ['a', 'b']);
  return graphOf('logicalAnd', a, b).node(AND, [a, b], { dtype: 'bool', shape });
}

const WHERE: OpDef = {
  onnxType: 'Where',
  grad: (gy, n) => {
    const [cond, a, b] = n.inputs;
    return [
      undefined,
      sumToShape(where(cond, gy, 0), a.shape),
      sumToShape(where(cond, 0, gy), b.shape),
    ];
  },
};

/** cond ? a : b, elementwise with broadcasting; numbers become scalars of the other's dtype. */
export function where(cond: Value, a: Operand, b: Operand): Value {
  requireDtype('where', 'cond', cond, ['bool']);
  const g = graphOf('where', cond);
  const [, va, vb] =
    typeof a === 'number' && typeof b === 'number'
      ? [g, g.scalar(a), g.scalar(b)]
      : binaryOperands('where', a, b);
  if (va.dtype !== vb.dtype) requireDtype('where', 'b', vb, [va.dtype]);
  const ab = broadcastShapes('where', va.shape, vb.shape, ['a', 'b']);
  const shape = broadcastShapes('where', cond.shape, ab, ['cond', 'a/b']);
  return graphOf('where', cond, va, vb).node(WHERE, [cond, va, vb], { dtype: va.dtype, shape });
}

/** Keeps x where `keep` is true and puts `fill` elsewhere. */
export function maskFill(x: Value, keep: Value, fill: number): Value {
  return where(keep, x, fill);
}

/**
 * Additive attention bias from a key mask [batch, seq] (bool or float 1 = real token):
 * returns [batch, 1, 1, seq] holding 0 for real tokens and -paddingScore for padding, to be
 * added to attention scores [batch, heads, seq, seq] before the softmax. The default, 1e9,
 * gives padding a weight of exactly 0 whatever its score; a smaller gap can be much faster
 * (model.ts, `FORWARD_PADDING_SCORE`).
 */
export function attentionBias(mask: Value, paddingScore = 1e9): Value {
  requireDtype('attentionBias', 'mask', mask, ['bool', 'float32']);
  requireRank('attentionBias', 'mask', mask, 2);
  const keep = mask.dtype === 'bool' ? cast(mask, 'float32') : mask;
  return unsqueeze(mul(sub(keep, 1), paddingScore), [1, 2]);
}
