/** Embedding lookup (Gather on axis 0); its gradient scatters rows back with ScatterND add. */
import { graphOf, type OpDef, type Value } from '../graph.js';
import { formatShape, shapeError } from '../shape.js';
import { requireDtype } from './common.js';
import { shapeOf, unsqueeze } from './reshape.js';

const CONSTANT_OF_SHAPE: OpDef = { onnxType: 'ConstantOfShape', grad: null };
const SCATTER_ND: OpDef = { onnxType: 'ScatterND', grad: null };

// Repeated indices must add up, so ScatterND runs with reduction="add" (opset 16+) into zeros.
const GATHER: OpDef = {
  onnxType: 'Gather',
  grad: (gy, n) => {
    const [table, indices] = n.inputs;
    return [scatterAddRows(table, indices, gy), undefined];
  },
};

/** zeros(table) with rows[indices[i]] += updates[i]; indices [...], updates [..., row dims]. */
export function scatterAddRows(table: Value, indices: Value, updates: Value): Value {
  const g = graphOf('scatterAddRows', table, indices, updates);
  const zeros = g.node(CONSTANT_OF_SHAPE, [shapeOf(table)], {
    dtype: 'float32',
    shape: [...table.shape],
  });
  const idx = unsqueeze(indices, [-1]);
  return g.node(
    SCATTER_ND,
    [zeros, idx, updates],
    { dtype: 'float32', shape: [...table.shape] },
    {
      reduction: { s: 'add' },
    },
  );
}

/** table [V, ..] indexed by int64 indices [...] → [..., ..]. Indices must lie in [0, V). */
export function gather(table: Value, indices: Value): Value {
  const op = 'gather';
  requireDtype(op, 'table', table, ['float32']);
  requireDtype(op, 'indices', indices, ['int64']);
  if (table.shape.length < 1) throw shapeError(op, 'table', 'rank >= 1', formatShape(table.shape));
  const shape = [...indices.shape, ...table.shape.slice(1)];
  return graphOf(op, table, indices).node(
    GATHER,
    [table, indices],
    { dtype: 'float32', shape },
    {
      axis: { i: 0 },
    },
  );
}
