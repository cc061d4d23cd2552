/** OneHot and the weighted cross-entropy loss. */
import { graphOf, type OpDef, type Value } from '../graph.js';
import { formatShape, shapeError } from '../shape.js';
import { div, maximum, mul } from './arithmetic.js';
import { requireDtype, requireRank } from './common.js';
import { reduceSum } from './reduce.js';
import { logSoftmax } from './softmax.js';
import { neg } from './unary.js';

const ONE_HOT: OpDef = { onnxType: 'OneHot', grad: null };

/** labels int64 [...] → float32 [..., depth] with 1 at the label and 0 elsewhere. */
export function oneHot(labels: Value, depth: number): Value {
  requireDtype('oneHot', 'labels', labels, ['int64']);
  const g = graphOf('oneHot', labels);
  const values = g.floats([0, 1]); // [off, on]
  const shape = [...labels.shape, depth];
  return g.node(
    ONE_HOT,
    [labels, g.scalar(depth, 'int64'), values],
    { dtype: 'float32', shape },
    {
      axis: { i: -1 },
    },
  );
}

/**
 * Weighted mean of −log softmax(logits)[label]: Σ wᵢ·nllᵢ / Σ wᵢ, a scalar.
 * logits [N, C] float32, labels [N] int64 in [0, C), weights [N] float32 (0 masks a row out;
 * a masked row still needs a valid label). With all weights 0 the loss is 0, not NaN.
 */
export function crossEntropy(logits: Value, labels: Value, weights: Value): Value {
  const op = 'crossEntropy';
  requireDtype(op, 'logits', logits, ['float32']);
  requireDtype(op, 'labels', labels, ['int64']);
  requireDtype(op, 'weights', weights, ['float32']);
  requireRank(op, 'logits', logits, 2);
  const [n, c] = logits.shape;
  for (const [name, v] of [
    ['labels', labels],
    ['weights', weights],
  ] as const) {
    if (v.shape.length !== 1 || v.shape[0] !== n) {
      throw shapeError(
        op,
        name,
        `[${n}] for logits ${formatShape(logits.shape)}`,
        formatShape(v.shape),
      );
    }
  }
  if (typeof c !== 'number')
    throw shapeError(op, 'logits', '[N, C] with a numeric C', formatShape(logits.shape));

  const picked = reduceSum(mul(logSoftmax(logits, 1), oneHot(labels, c)), [1]);
  const total = reduceSum(mul(picked, weights), [0]);
  // The floor only matters when every weight is 0; any real weight sum is far above it.
  const count = maximum(reduceSum(weights, [0]), 1e-12);
  return neg(div(total, count));
}
