/** Embedding lookup (Gather on axis 0); its gradient sums rows per index, then places them. */
import { graphOf, type OpDef, type Value } from '../graph.js';
import { formatShape, shapeError } from '../shape.js';
import { requireDtype } from './common.js';
import { reshape, shapeOf, unsqueeze } from './reshape.js';
import { segmentSum } from './segment.js';

const CONSTANT_OF_SHAPE: OpDef = { onnxType: 'ConstantOfShape', grad: null };
const SCATTER_ND: OpDef = { onnxType: 'ScatterND', grad: null };

// Repeated indices must add up. segmentSum() adds them deterministically; the distinct rows
// then go into zeros with a plain ScatterND (no repeated index, so nothing to race on).
const GATHER: OpDef = {
  onnxType: 'Gather',
  grad: (gy, n) => {
    const [table, indices] = n.inputs;
    const { ids, sums } = rowGradients(table, indices, gy);
    return [placeRows(table, ids, sums), undefined];
  },
};

/** Distinct looked-up row ids [U] and the summed output gradient of each, [U, ..row]. */
export function rowGradients(table: Value, indices: Value, gy: Value): { ids: Value; sums: Value } {
  const row = table.shape.slice(1);
  if (!row.every((d) => typeof d === 'number')) {
    throw shapeError('gather.grad', 'table', 'numeric row dims', formatShape(table.shape));
  }
  return segmentSum(reshape(indices, [-1]), reshape(gy, [-1, ...row]));
}

/** zeros shaped like table, with rows[ids[u]] = sums[u]; ids must be distinct. */
function placeRows(table: Value, ids: Value, sums: Value): Value {
  const g = graphOf('gather.grad', table, ids, sums);
  const shape = [...table.shape];
  const zeros = g.node(CONSTANT_OF_SHAPE, [shapeOf(table)], { dtype: 'float32', shape });
  return g.node(SCATTER_ND, [zeros, unsqueeze(ids, [-1]), sums], { dtype: 'float32', shape });
}

/** True when `node` is a gather() table lookup (the table is input 0, the indices input 1). */
export function isTableGather(node: { def: OpDef }): boolean {
  return node.def === GATHER;
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
