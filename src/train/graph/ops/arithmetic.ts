/** Elementwise binary arithmetic with numpy broadcasting: Add, Sub, Mul, Div, Max, Min, Pow. */
import type { OpDef, Value } from '../graph.js';
import { broadcastShapes } from '../shape.js';
import { binaryOperands, requireDtype, sumToShape, type Operand } from './common.js';
import { greaterOrEqual, where } from './logical.js';
import { log, neg } from './unary.js';

function binary(def: OpDef, op: string, a: Operand, b: Operand): Value {
  const [g, va, vb] = binaryOperands(op, a, b);
  requireDtype(op, 'a', va, ['float32', 'float64', 'int64']);
  if (va.dtype !== vb.dtype) requireDtype(op, 'b', vb, [va.dtype]);
  const shape = broadcastShapes(op, va.shape, vb.shape, ['a', 'b']);
  return g.node(def, [va, vb], { dtype: va.dtype, shape });
}

/** Reduces each gradient back to its input's shape (undoes broadcasting). */
function toInputs(n: { inputs: readonly Value[] }, ga: Value, gb: Value): Value[] {
  return [sumToShape(ga, n.inputs[0].shape), sumToShape(gb, n.inputs[1].shape)];
}

const ADD: OpDef = { onnxType: 'Add', grad: (gy, n) => toInputs(n, gy, gy) };
const SUB: OpDef = { onnxType: 'Sub', grad: (gy, n) => toInputs(n, gy, neg(gy)) };
const MUL: OpDef = {
  onnxType: 'Mul',
  grad: (gy, n) => toInputs(n, mul(gy, n.inputs[1]), mul(gy, n.inputs[0])),
};
// d(a/b)/da = 1/b; d(a/b)/db = -a/b² = -y/b
const DIV: OpDef = {
  onnxType: 'Div',
  grad: (gy, n) => toInputs(n, div(gy, n.inputs[1]), neg(div(mul(gy, n.output), n.inputs[1]))),
};
// Ties send the whole gradient to a (Max) or to a (Min), as PyTorch's maximum does not; any
// subgradient is valid and this one keeps the total unchanged.
const MAX: OpDef = {
  onnxType: 'Max',
  grad: (gy, n) => {
    const takeA = greaterOrEqual(n.inputs[0], n.inputs[1]);
    return toInputs(n, where(takeA, gy, 0), where(takeA, 0, gy));
  },
};
const MIN: OpDef = {
  onnxType: 'Min',
  grad: (gy, n) => {
    const takeB = greaterOrEqual(n.inputs[0], n.inputs[1]);
    return toInputs(n, where(takeB, 0, gy), where(takeB, gy, 0));
  },
};
// d(a^b)/da = b·a^(b-1); d(a^b)/db = y·ln(a) (defined for a > 0)
const POW: OpDef = {
  onnxType: 'Pow',
  grad: (gy, n) => {
    const [a, b] = n.inputs;
    return toInputs(n, mul(gy, mul(b, pow(a, sub(b, 1)))), mul(gy, mul(n.output, log(a))));
  },
};

export const add = (a: Operand, b: Operand): Value => binary(ADD, 'add', a, b);
export const sub = (a: Operand, b: Operand): Value => binary(SUB, 'sub', a, b);
export const mul = (a: Operand, b: Operand): Value => binary(MUL, 'mul', a, b);
export const div = (a: Operand, b: Operand): Value => binary(DIV, 'div', a, b);
export const maximum = (a: Operand, b: Operand): Value => binary(MAX, 'maximum', a, b);
export const minimum = (a: Operand, b: Operand): Value => binary(MIN, 'minimum', a, b);
export const pow = (a: Operand, b: Operand): Value => binary(POW, 'pow', a, b);
