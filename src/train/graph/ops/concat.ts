/** Concat along one axis; its gradient slices the pieces back out. */
import { graphOf, type Dim, type OpDef, type Value } from '../graph.js';
import { formatShape, normalizeAxis, shapeError } from '../shape.js';
import { sliceAxis } from './slice.js';
import { add } from './arithmetic.js';
import { shapeOf } from './reshape.js';

const SLICE_DYNAMIC: OpDef = { onnxType: 'Slice', grad: null };

const CONCAT: OpDef = {
  onnxType: 'Concat',
  grad: (gy, n) => {
    const axis = (n.attrs.axis as { i: number }).i;
    const sizes = n.inputs.map((x) => x.shape[axis]);
    if (sizes.every((d) => typeof d === 'number')) {
      let offset = 0;
      return n.inputs.map((_, i) => {
        const piece = sliceAxis(gy, axis, offset, offset + (sizes[i] as number));
        offset += sizes[i] as number;
        return piece;
      });
    }
    return dynamicPieces(gy, n.inputs, axis);
  },
};

/** Pieces of gy for inputs whose sizes on `axis` are only known at run time. */
function dynamicPieces(gy: Value, inputs: readonly Value[], axis: number): Value[] {
  const g = graphOf('concat.grad', gy);
  let offset = g.ints([0]);
  return inputs.map((x) => {
    const stop = add(offset, shapeOf(x, axis, axis + 1));
    const piece = g.node(SLICE_DYNAMIC, [gy, offset, stop, g.ints([axis])], {
      dtype: gy.dtype,
      shape: [...x.shape],
    });
    offset = stop;
    return piece;
  });
}

/** Joins values along `axis`; all other dims must match. */
export function concat(xs: Value[], axis: number): Value {
  const op = 'concat';
  if (xs.length === 0) throw shapeError(op, 'xs', 'at least one value', 'none');
  const first = xs[0];
  const a = normalizeAxis(op, axis, first.shape.length);
  xs.forEach((x, i) => {
    const same =
      x.dtype === first.dtype &&
      x.shape.length === first.shape.length &&
      x.shape.every((d, j) => j === a || d === first.shape[j]);
    if (!same) {
      const pattern = first.shape.map((d, j) => (j === a ? '*' : d));
      const expected = `${first.dtype} ${formatShape(pattern)}`;
      throw shapeError(op, `xs[${i}]`, expected, `${x.dtype} ${formatShape(x.shape)}`);
    }
  });

  const out = [...first.shape];
  out[a] = sumDims(xs.map((x) => x.shape[a]));
  return graphOf(op, ...xs).node(
    CONCAT,
    xs,
    { dtype: first.dtype, shape: out },
    { axis: { i: a } },
  );
}

function sumDims(dims: Dim[]): Dim {
  if (dims.every((d) => typeof d === 'number'))
    return (dims as number[]).reduce((s, d) => s + d, 0);
  return dims.join('+');
}
