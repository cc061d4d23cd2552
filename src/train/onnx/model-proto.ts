/**
 * Encoders for the subset of the ONNX protobuf schema (onnx/onnx.proto3, IR version 8) that
 * Parley's graphs use, and a decoder that reads initializers back. Field numbers below are the
 * ones in onnx.proto3; keep them in sync with that file when adding a field.
 */
import { ProtoWriter, decodeString, readFields, readPackedVarints, toSigned } from './protobuf.js';

export type ElemType = 'float32' | 'int64' | 'bool' | 'float64';
export type ShapeDim = number | string;

/** TensorProto.DataType values. */
const DATA_TYPE: Record<ElemType, number> = { float32: 1, int64: 7, bool: 9, float64: 11 };

/** AttributeProto.AttributeType values. */
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export const IR_VERSION = 8;

export interface TensorSpec {
  name: string;
  dtype: ElemType;
  dims: readonly number[];
  /** float32 → Float32Array, float64 → Float64Array, int64 → BigInt64Array, bool → 0/1 bytes. */
  data: Float32Array | Float64Array | BigInt64Array | Uint8Array;
}

export type AttrSpec =
  | { f: number }
  | { i: number }
  | { s: string }
  | { floats: readonly number[] }
  | { ints: readonly number[] }
  | { t: TensorSpec };

export interface NodeSpec {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs?: Readonly<Record<string, AttrSpec>>;
}

export interface ValueInfoSpec {
  name: string;
  dtype: ElemType;
  shape: readonly ShapeDim[];
}

export interface ModelSpec {
  graphName: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorSpec[];
  inputs: readonly ValueInfoSpec[];
  outputs: readonly ValueInfoSpec[];
  opset: number;
  producerName?: string;
  producerVersion?: string;
}

export function encodeModel(spec: ModelSpec): Uint8Array {
  // ModelProto: ir_version=1, producer_name=2, producer_version=3, graph=7, opset_import=8
  const model = new ProtoWriter();
  model.varint(1, IR_VERSION);
  model.string(2, spec.producerName ?? 'parley');
  model.string(3, spec.producerVersion ?? '0');
  model.message(7, encodeGraph(spec));
  // OperatorSetIdProto: domain=1 (empty = ai.onnx), version=2
  model.message(8, new ProtoWriter().string(1, '').varint(2, spec.opset));
  return model.finish();
}

function encodeGraph(spec: ModelSpec): ProtoWriter {
  // GraphProto: node=1, name=2, initializer=5, input=11, output=12
  const graph = new ProtoWriter();
  for (const node of spec.nodes) graph.message(1, encodeNode(node));
  graph.string(2, spec.graphName);
  for (const init of spec.initializers) graph.message(5, encodeTensor(init));
  for (const input of spec.inputs) graph.message(11, encodeValueInfo(input));
  for (const output of spec.outputs) graph.message(12, encodeValueInfo(output));
  return graph;
}

function encodeNode(node: NodeSpec): ProtoWriter {
  // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, attr] of Object.entries(node.attrs ?? {})) w.message(5, encodeAttr(name, attr));
  return w;
}

function encodeAttr(name: string, attr: AttrSpec): ProtoWriter {
  // AttributeProto: name=1, f=2, i=3, s=4, t=5, floats=7, ints=8, type=20
  const w = new ProtoWriter().string(1, name);
  if ('f' in attr) w.float(2, attr.f).varint(20, ATTR_TYPE.FLOAT);
  else if ('i' in attr) w.varint(3, attr.i).varint(20, ATTR_TYPE.INT);
  else if ('s' in attr) w.string(4, attr.s).varint(20, ATTR_TYPE.STRING);
  else if ('t' in attr) w.message(5, encodeTensor(attr.t)).varint(20, ATTR_TYPE.TENSOR);
  else if ('floats' in attr) w.packedFloats(7, attr.floats).varint(20, ATTR_TYPE.FLOATS);
  else w.packedVarints(8, attr.ints).varint(20, ATTR_TYPE.INTS);
  return w;
}

export function encodeTensor(t: TensorSpec): ProtoWriter {
  // TensorProto: dims=1, data_type=2, name=8, raw_data=9 (little-endian, as ONNX requires)
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedVarints(1, t.dims);
  w.varint(2, DATA_TYPE[t.dtype]);
  w.string(8, t.name);
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function encodeValueInfo(info: ValueInfoSpec): ProtoWriter {
  // ValueInfoProto: name=1, type=2; TypeProto: tensor_type=1;
  // TypeProto.Tensor: elem_type=1, shape=2; TensorShapeProto: dim=1;
  // Dimension: dim_value=1, dim_param=2
  const shape = new ProtoWriter();
  for (const d of info.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.varint(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().varint(1, DATA_TYPE[info.dtype]).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, info.name).message(2, type);
}

export interface DecodedTensor {
  name: string;
  dims: number[];
  dataType: number;
  data: Float32Array | Float64Array | BigInt64Array | Uint8Array;
}

/** Reads every initializer of a ModelProto. Float data is copied into fresh aligned arrays. */
export function decodeInitializers(bytes: Uint8Array): DecodedTensor[] {
  const graph = readFields(bytes).find((f) => f.field === 7 && f.wire === 2);
  if (!graph) throw new Error('ONNX model has no graph');
  return readFields(graph.value as Uint8Array)
    .filter((f) => f.field === 5 && f.wire === 2)
    .map((f) => decodeTensor(f.value as Uint8Array));
}

export function decodeTensor(bytes: Uint8Array): DecodedTensor {
  let name = '';
  let dataType = 0;
  const dims: number[] = [];
  let raw: Uint8Array | undefined;
  const floats: number[] = [];
  const int64s: bigint[] = [];

  for (const f of readFields(bytes)) {
    if (f.field === 1) {
      const values = f.wire === 2 ? readPackedVarints(f.value) : [f.value as bigint];
      dims.push(...values.map((v) => Number(toSigned(v))));
    } else if (f.field === 2 && f.wire === 0) dataType = Number(f.value);
    else if (f.field === 8 && f.wire === 2) name = decodeString(f.value);
    else if (f.field === 9 && f.wire === 2) raw = f.value;
    else if (f.field === 4 && f.wire === 2) floats.push(...readPackedFloats(f.value));
    else if (f.field === 4 && f.wire === 5) floats.push(...readPackedFloats(f.value));
    else if (f.field === 7 && f.wire === 2)
      int64s.push(...readPackedVarints(f.value).map(toSigned));
    else if (f.field === 7 && f.wire === 0) int64s.push(toSigned(f.value as bigint));
  }

  return { name, dims, dataType, data: tensorData(dataType, raw, floats, int64s, name) };
}

function tensorData(
  dataType: number,
  raw: Uint8Array | undefined,
  floats: number[],
  int64s: bigint[],
  name: string,
): Float32Array | Float64Array | BigInt64Array | Uint8Array {
  // slice() copies into a fresh buffer, so the typed array is aligned whatever the offset was.
  if (dataType === DATA_TYPE.float32) {
    return raw ? new Float32Array(raw.slice().buffer) : Float32Array.from(floats);
  }
  if (dataType === DATA_TYPE.int64) {
    return raw ? new BigInt64Array(raw.slice().buffer) : BigInt64Array.from(int64s);
  }
  if (dataType === DATA_TYPE.float64 && raw) return new Float64Array(raw.slice().buffer);
  if (dataType === DATA_TYPE.bool && raw) return raw.slice();
  throw new Error(`initializer ${name}: unsupported data type ${dataType}`);
}

function readPackedFloats(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(view.getFloat32(i, true));
  return out;
}
