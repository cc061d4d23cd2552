/** Unique over a 1-D int64 tensor: the distinct values and, per element, its slot. */
import { graphOf, type OpDef, type Value } from '../graph.js';
import { requireDtype, requireRank } from './common.js';

// Integer outputs: no gradient. ONNX Unique outputs are (Y, indices, inverse_indices, counts).
const UNIQUE: OpDef = { onnxType: 'Unique', grad: null };

export interface UniqueResult {
  /** Distinct values in order of first occurrence, int64 [U]. */
  values: Value;
  /** For each input element, the position of its value in `values`, int64 [N]. */
  inverse: Value;
}

export function unique(x: Value): UniqueResult {
  requireDtype('unique', 'x', x, ['int64']);
  requireRank('unique', 'x', x, 1);
  const g = graphOf('unique', x);
  // unsorted (first-occurrence order) is cheaper, and nothing here needs the order
  const attrs = { sorted: { i: 0 } };
  const values = g.node(
    UNIQUE,
    [x],
    { dtype: 'int64', shape: [g.fresh(`${x.name}_unique`)] },
    attrs,
  );
  const inverse = g.node(
    UNIQUE,
    [x],
    { dtype: 'int64', shape: [...x.shape], outputIndex: 2, sibling: values },
    attrs,
  );
  return { values, inverse };
}
