/**
 * Every op of the graph builder. Each op file holds the builder function (shape and dtype
 * checks, then one `graph.node(...)` per ONNX node) and, beside it, the OpDef whose `grad`
 * returns the vector-Jacobian product per input, written with these same ops.
 *
 * Adding an op:
 *   1. Pick the file of its family (or add `ops/<name>.ts`, kebab-case) and check the ONNX op's
 *      signature at opset 20 (inputs vs attributes: axes, shapes and bounds are inputs there).
 *   2. Write the builder: validate dtypes and shapes, throwing `shapeError(op, input, expected,
 *      actual)` (code GRAPH_SHAPE); compute the static output shape, symbolic dims included.
 *   3. Write the OpDef beside it: `onnxType`, and `grad(gy, node)` returning one entry per
 *      input, `undefined` for integer/bool inputs, each reduced to its input's shape (use
 *      `sumToShape` after broadcasting). Use `grad: null` only for ops whose outputs are never
 *      float functions of params (comparisons, shape queries); grad() throws if it meets one.
 *      Throw a ParleyError for any attribute combination the gradient cannot handle.
 *   4. Export it below.
 *   5. Tests: a finite-difference case in test/train/graph/ops-grad.test.ts (broadcasting and
 *      repeated-index cases where they apply) and a shape-error case in
 *      test/train/graph/shape-errors.test.ts.
 */
export type { Operand } from './common.js';
export { add, sub, mul, div, maximum, minimum, pow } from './arithmetic.js';
export { neg, exp, log, sqrt, tanh, sigmoid, relu, gelu } from './unary.js';
export { matMul } from './matmul.js';
export { softmax, logSoftmax } from './softmax.js';
export { reduceSum, reduceMean } from './reduce.js';
export { gather, isTableGather } from './gather.js';
export { segmentSum, type SegmentSums } from './segment.js';
export { unique, type UniqueResult } from './unique.js';
export {
  reshape,
  reshapeLike,
  reshapeTo,
  unsqueeze,
  squeeze,
  shapeOf,
  size,
  expandLike,
} from './reshape.js';
export { transpose, transposeLast2 } from './transpose.js';
export { concat } from './concat.js';
export { sliceAxis } from './slice.js';
export { cast } from './cast.js';
export {
  equal,
  greater,
  greaterOrEqual,
  less,
  logicalNot,
  logicalAnd,
  where,
  maskFill,
  attentionBias,
} from './logical.js';
export { layerNorm } from './norm.js';
export { oneHot, crossEntropy } from './loss.js';
