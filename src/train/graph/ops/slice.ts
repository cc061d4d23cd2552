/** Slice along one axis, and the Pad that is its gradient. */
import { graphOf, type Dim, type OpDef, type Value } from '../graph.js';
import { normalizeAxis, shapeError } from '../shape.js';
import { add, sub } from './arithmetic.js';
import { concat } from './concat.js';
import { shapeOf } from './reshape.js';

/** Largest int64, ONNX's "to the end" for Slice. */
const TO_END = Number.MAX_SAFE_INTEGER;

interface SliceAttrs {
  axis: number;
  start: number;
  end: number;
}

const PAD: OpDef = { onnxType: 'Pad', grad: null };

const SLICE: OpDef = {
  onnxType: 'Slice',
  grad: (gy, n) => {
    // starts, ends and axes are one-element int64 constants (see sliceAxis).
    const [start, end, axis] = n.inputs
      .slice(1)
      .map((v) => Number((n.graph.constantOf(v) as BigInt64Array)[0]));
    return [padAxis(gy, n.inputs[0], { axis, start, end }), undefined, undefined, undefined];
  },
};

/**
 * x[.., start:end, ..] on `axis` with Python semantics (negative counts from the end, end
 * omitted means to the end). Symbolic dims are allowed; the bounds must then lie inside it.
 */
export function sliceAxis(x: Value, axis: number, start: number, end?: number): Value {
  const op = 'sliceAxis';
  const a = normalizeAxis(op, axis, x.shape.length);
  const d = x.shape[a];
  const e = end ?? TO_END;
  if (!Number.isInteger(start) || !Number.isInteger(e)) {
    throw shapeError(op, 'start/end', 'integers', `${start}, ${end}`);
  }

  const out = [...x.shape];
  out[a] = slicedDim(x, d, start, e);
  const g = graphOf(op, x);
  const inputs = [x, g.ints([start]), g.ints([e]), g.ints([a])];
  return g.node(SLICE, inputs, { dtype: x.dtype, shape: out });
}

function slicedDim(x: Value, d: Dim, start: number, end: number): Dim {
  if (typeof d === 'number') {
    const s = clamp(start < 0 ? start + d : start, d);
    const e = clamp(end < 0 ? end + d : end, d);
    return Math.max(0, e - s);
  }
  if (start >= 0 && end >= 0 && end !== TO_END) return Math.max(0, end - start);
  if (start < 0 && end === TO_END) return -start;
  if (start === 0 && end === TO_END) return d;
  return graphOf('sliceAxis', x).fresh(`${d}_slice`);
}

function clamp(i: number, d: number): number {
  return Math.min(Math.max(i, 0), d);
}

/** Zero-pads gy back to x's shape on the sliced axis: the gradient of a slice. */
function padAxis(gy: Value, x: Value, s: SliceAttrs): Value {
  const g = graphOf('sliceAxis.grad', gy, x);
  const rank = x.shape.length;
  const d = x.shape[s.axis];
  const zeros = (k: number): number[] => Array(k).fill(0);

  let pads: Value;
  if (typeof d === 'number') {
    const begin = clamp(s.start < 0 ? s.start + d : s.start, d);
    const stop = clamp(s.end < 0 ? s.end + d : s.end, d);
    const before = zeros(rank);
    const after = zeros(rank);
    before[s.axis] = begin;
    after[s.axis] = d - Math.max(begin, stop);
    pads = g.ints([...before, ...after]);
  } else {
    // Symbolic dim: compute begin and end padding from the run-time size of the axis.
    const dim = shapeOf(x, s.axis, s.axis + 1);
    const begin = s.start < 0 ? add(dim, s.start) : g.ints([s.start]);
    const stop = s.end === TO_END ? dim : s.end < 0 ? add(dim, s.end) : g.ints([s.end]);
    const lead = g.ints(zeros(s.axis));
    const tail = g.ints(zeros(rank - s.axis - 1));
    const parts = [lead, begin, tail, lead, sub(dim, stop), tail].filter((p) => p.shape[0] !== 0);
    pads = concat(parts, 0);
  }
  return g.node(
    PAD,
    [gy, pads],
    { dtype: gy.dtype, shape: [...x.shape] },
    { mode: { s: 'constant' } },
  );
}
