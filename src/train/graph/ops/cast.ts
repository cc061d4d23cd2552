/** Cast between float32, int64 and bool. */
import { graphOf, type DType, type OpDef, type Value } from '../graph.js';

/** TensorProto.DataType for Cast's `to` attribute. */
const ONNX_TYPE: Record<DType, number> = { float32: 1, int64: 7, bool: 9, float64: 11 };

// Only a float-to-float cast passes a gradient, cast back to the input's float type.
const CAST: OpDef = {
  onnxType: 'Cast',
  grad: (gy, n) => [isFloat(n.inputs[0].dtype) ? cast(gy, n.inputs[0].dtype) : undefined],
};

/** The dtypes gradients flow through. */
export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export function cast(x: Value, dtype: DType): Value {
  if (x.dtype === dtype) return x;
  return graphOf('cast', x).node(
    CAST,
    [x],
    { dtype, shape: [...x.shape] },
    { to: { i: ONNX_TYPE[dtype] } },
  );
}
