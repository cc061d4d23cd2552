/** Batched matrix product: [.., m, k] × [k, n] or [.., m, k] × [.., k, n], batch dims broadcast. */
import { graphOf, type OpDef, type Value } from '../graph.js';
import { broadcastShapes, formatShape, shapeError } from '../shape.js';
import { requireDtype, sumToShape } from './common.js';
import { reshape } from './reshape.js';
import { transposeLast2 } from './transpose.js';

const MATMUL: OpDef = {
  onnxType: 'MatMul',
  grad: (gy, n) => {
    const [a, b] = n.inputs;
    const ga = sumToShape(matMul(gy, transposeLast2(b)), a.shape);
    return [ga, weightGrad(a, b, gy)];
  },
};

/**
 * dL/db. For the common layer case (b is a [k, n] weight, a has batch dims) fold the batch
 * into rows and do one [k, rows] × [rows, n] product instead of a batched product and a sum.
 */
function weightGrad(a: Value, b: Value, gy: Value): Value {
  const k = a.shape[a.shape.length - 1];
  const cols = gy.shape[gy.shape.length - 1];
  if (
    b.shape.length === 2 &&
    a.shape.length > 2 &&
    typeof k === 'number' &&
    typeof cols === 'number'
  ) {
    const rowsA = reshape(a, [-1, k]);
    const rowsG = reshape(gy, [-1, cols]);
    return matMul(transposeLast2(rowsA), rowsG);
  }
  return sumToShape(matMul(transposeLast2(a), gy), b.shape);
}

export function matMul(a: Value, b: Value): Value {
  const op = 'matMul';
  requireDtype(op, 'a', a, ['float32']);
  requireDtype(op, 'b', b, ['float32']);
  if (a.shape.length < 2) throw shapeError(op, 'a', 'rank >= 2 [.., m, k]', formatShape(a.shape));
  if (b.shape.length < 2) throw shapeError(op, 'b', 'rank >= 2 [.., k, n]', formatShape(b.shape));

  const [m, k] = a.shape.slice(-2);
  const [kb, n] = b.shape.slice(-2);
  if (k !== kb) {
    throw shapeError(
      op,
      'b',
      `[.., ${k}, n] to match a ${formatShape(a.shape)}`,
      formatShape(b.shape),
    );
  }
  const batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2), ['a', 'b']);
  return graphOf(op, a, b).node(MATMUL, [a, b], { dtype: 'float32', shape: [...batch, m, n] });
}
