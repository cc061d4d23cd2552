/** Transpose with an explicit permutation. */
import { graphOf, type OpDef, type Value } from '../graph.js';
import { formatShape, shapeError } from '../shape.js';

const TRANSPOSE: OpDef = {
  onnxType: 'Transpose',
  grad: (gy, n) => {
    const perm = (n.attrs.perm as { ints: number[] }).ints;
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [transpose(gy, inverse)];
  },
};

/** Output dim i is input dim perm[i]. */
export function transpose(x: Value, perm: number[]): Value {
  const rank = x.shape.length;
  const valid = perm.length === rank && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
  if (!valid) {
    throw shapeError(
      'transpose',
      'perm',
      `a permutation of 0..${rank - 1} for ${formatShape(x.shape)}`,
      `[${perm}]`,
    );
  }
  const shape = perm.map((p) => x.shape[p]);
  return graphOf('transpose', x).node(
    TRANSPOSE,
    [x],
    { dtype: x.dtype, shape },
    { perm: { ints: [...perm] } },
  );
}

/** Swaps the last two axes ([.., m, n] → [.., n, m]). */
export function transposeLast2(x: Value): Value {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return transpose(x, perm);
}
