/** Elementwise unary ops: Neg, Exp, Log, Sqrt, Tanh, Sigmoid, Relu, and GELU (tanh form). */
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

/**
 * GELU, tanh approximation: 0.5·x·(1 + tanh(c·(x + a·x³))), c = √(2/π), a = 0.044715; one ONNX
 * Gelu node (opset 20). Its gradient recomputes t = tanh(c·(x + a·x³)):
 * d/dx = 0.5·(1 + t) + 0.5·x·(1 - t²)·c·(1 + 3a·x²).
 */
const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;
const GELU: OpDef = {
  onnxType: 'Gelu',
  grad: (gy, n) => {
    const x = n.inputs[0];
    const x2 = mul(x, x);
    const t = tanh(mul(mul(x, add(mul(x2, GELU_A), 1)), GELU_C));
    const slope = mul(mul(mul(x, sub(1, mul(t, t))), add(mul(x2, 3 * GELU_A), 1)), 0.5 * GELU_C);
    return [mul(gy, add(mul(add(t, 1), 0.5), slope))];
  },
};

export function gelu(x: Value): Value {
  requireDtype('gelu', 'x', x, ['float32']);
  return graphOf('gelu', x).node(
    GELU,
    [x],
    { dtype: x.dtype, shape: [...x.shape] },
    {
      approximate: { s: 'tanh' },
    },
  );
}
