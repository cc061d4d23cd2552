/** Cast between float32, int64 and bool. */
import { graphOf, type DType, type OpDef, type Value } from '../graph.js';

/** TensorProto.DataType for Cast's `to` attribute. */
const ONNX_TYPE: Record<DType, number> = { float32: 1, int64: 7, bool: 9 };

// Only a float-to-float cast passes a gradient; Parley has one float type, so that is identity.
const CAST: OpDef = {
  onnxType: 'Cast',
  grad: (gy, n) => [n.inputs[0].dtype === 'float32' ? gy : undefined],
};

export function cast(x: Value, dtype: DType): Value {
  if (x.dtype === dtype) return x;
  return graphOf('cast', x).node(
    CAST,
    [x],
    { dtype, shape: [...x.shape] },
    { to: { i: ONNX_TYPE[dtype] } },
  );
}
