/** Elementwise unary ops: Neg, Exp, Log, Sqrt, Tanh, Sigmoid, Relu, and gelu as a composite. */
import { graphOf, type DType, type OpDef, type Value } from '../graph.js';
import { add, mul, sub, div } from './arithmetic.js';
import { requireDtype } from './common.js';
import { greater, where } from './logical.js';

function unary(def: OpDef, op: string, x: Value, dtypes: DType[] = ['float32', 'float64']): Value {
  requireDtype(op, 'x', x, dtypes);
  return graphOf(op, x).node(def, [x], { dtype: x.dtype, shape: [...x.shape] });
}

const NEG: OpDef = { onnxType: 'Neg', grad: (gy) => [neg(gy)] };
const EXP: OpDef = { onnxType: 'Exp', grad: (gy, n) => [mul(gy, n.output)] };
const LOG: OpDef = { onnxType: 'Log', grad: (gy, n) => [div(gy, n.inputs[0])] };
// d√x/dx = 1 / (2√x)
const SQRT: OpDef = { onnxType: 'Sqrt', grad: (gy, n) => [div(mul(gy, 0.5), n.output)] };
const TANH: OpDef = {
  onnxType: 'Tanh',
  grad: (gy, n) => [mul(gy, sub(1, mul(n.output, n.output)))],
};
const SIGMOID: OpDef = {
  onnxType: 'Sigmoid',
  grad: (gy, n) => [mul(gy, mul(n.output, sub(1, n.output)))],
};
// The subgradient at 0 is 0.
const RELU: OpDef = {
  onnxType: 'Relu',
  grad: (gy, n) => [where(greater(n.inputs[0], 0), gy, 0)],
};

export const neg = (x: Value): Value => unary(NEG, 'neg', x, ['float32', 'float64', 'int64']);
export const exp = (x: Value): Value => unary(EXP, 'exp', x);
export const log = (x: Value): Value => unary(LOG, 'log', x);
export const sqrt = (x: Value): Value => unary(SQRT, 'sqrt', x);
export const tanh = (x: Value): Value => unary(TANH, 'tanh', x);
export const sigmoid = (x: Value): Value => unary(SIGMOID, 'sigmoid', x);
export const relu = (x: Value): Value => unary(RELU, 'relu', x);

/** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). Opset 18 has no Gelu. */
export function gelu(x: Value): Value {
  requireDtype('gelu', 'x', x, ['float32']);
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}
