import { describe, expect, it } from 'vitest';
import {
  ProtoWriter,
  decodeString,
  readFields,
  readPackedVarints,
  toSigned,
} from '../../../src/train/onnx/protobuf.js';
import { decodeTensor, encodeTensor } from '../../../src/train/onnx/model-proto.js';

describe('protobuf wire format', () => {
  it('encodes varints as the protobuf spec examples show', () => {
    // 150 → 96 01 is the canonical example of the protobuf encoding guide
    expect(Array.from(new ProtoWriter().varint(1, 150).finish())).toEqual([0x08, 0x96, 0x01]);
    expect(Array.from(new ProtoWriter().string(2, 'testing').finish())).toEqual([
      0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67,
    ]);
  });

  it('round-trips negative and 64-bit varints, strings and nested messages', () => {
    const inner = new ProtoWriter()
      .varint(1, -1)
      .varint(2, 2n ** 40n)
      .string(3, 'héllo');
    const bytes = new ProtoWriter().message(5, inner).packedVarints(6, [0, 300, -2]).finish();
    const [msg, packed] = readFields(bytes);
    expect(msg.field).toBe(5);
    const fields = readFields(msg.value as Uint8Array);
    expect(toSigned(fields[0].value as bigint)).toBe(-1n);
    expect(fields[1].value).toBe(2n ** 40n);
    expect(decodeString(fields[2].value as Uint8Array)).toBe('héllo');
    expect(readPackedVarints(packed.value as Uint8Array).map(toSigned)).toEqual([0n, 300n, -2n]);
  });

  it('round-trips float and int64 tensors through raw_data', () => {
    const floats = Float32Array.from([1.5, -2, 3.25, 1e-30, 7]).subarray(1);
    const f = decodeTensor(
      encodeTensor({ name: 'w', dtype: 'float32', dims: [2, 2], data: floats }).finish(),
    );
    expect(f).toMatchObject({ name: 'w', dims: [2, 2], dataType: 1 });
    expect(Array.from(f.data as Float32Array)).toEqual(Array.from(floats));

    const ints = BigInt64Array.from([-1n, 2n ** 50n]);
    const i = decodeTensor(
      encodeTensor({ name: 'i', dtype: 'int64', dims: [2], data: ints }).finish(),
    );
    expect(Array.from(i.data as BigInt64Array)).toEqual([-1n, 2n ** 50n]);
  });

  it('rejects truncated input', () => {
    const bytes = new ProtoWriter().string(1, 'abcdef').finish();
    expect(() => readFields(bytes.subarray(0, 4))).toThrow(/truncated/);
  });
});
