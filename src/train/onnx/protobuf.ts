/**
 * A minimal protobuf wire-format writer and reader: just what the ONNX model files need
 * (varints, 32-bit floats, length-delimited bytes and nested messages). No reflection, no
 * schema: the ONNX message layouts live in model-proto.ts.
 *
 * The writer keeps a list of byte chunks so a nested message (for example a 16 MB initializer)
 * is embedded without being copied until the single final concatenation.
 */

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private size = 0;

  /** Total encoded length in bytes. */
  get length(): number {
    return this.size + this.scratch.length;
  }

  /** A varint field (int32, int64, enum, bool); negatives take 10 bytes (two's complement). */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_I32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.bytesRaw(bytes);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(value.length);
    this.bytesRaw(value);
    return this;
  }

  /** Embeds another writer's content as a length-delimited sub-message, without copying it. */
  message(field: number, sub: ProtoWriter): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(sub.length);
    sub.flushScratch();
    for (const chunk of sub.chunks) this.bytesRaw(chunk);
    return this;
  }

  /** Packed repeated varints (e.g. `repeated int64 dims`, `ints` attributes). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const sub = new ProtoWriter();
    for (const v of values) sub.rawVarint(v);
    this.tag(field, WIRE_LEN);
    this.rawVarint(sub.length);
    sub.flushScratch();
    for (const chunk of sub.chunks) this.bytesRaw(chunk);
    return this;
  }

  /** Packed repeated 32-bit floats. */
  packedFloats(field: number, values: readonly number[]): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, bytes);
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  private rawVarint(value: number | bigint): void {
    // bigint path covers negative values and values beyond 2^53.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private bytesRaw(bytes: Uint8Array): void {
    this.flushScratch();
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    const bytes = Uint8Array.from(this.scratch);
    this.scratch = [];
    this.chunks.push(bytes);
    this.size += bytes.length;
  }
}

/** One decoded field: varints as bigint, length-delimited fields as a view into the buffer. */
export type ProtoField =
  | { field: number; wire: 0; value: bigint }
  | { field: number; wire: 1; value: Uint8Array }
  | { field: number; wire: 2; value: Uint8Array }
  | { field: number; wire: 5; value: Uint8Array };

/** Splits one message into its fields, in order. Throws on malformed input. */
export function readFields(buf: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;

  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const byte = buf[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('protobuf: varint longer than 10 bytes');
    }
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > buf.length) throw new Error('protobuf: truncated field');
    const view = buf.subarray(pos, pos + n);
    pos += n;
    return view;
  };

  while (pos < buf.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === WIRE_VARINT) fields.push({ field, wire, value: varint() });
    else if (wire === WIRE_I64) fields.push({ field, wire, value: take(8) });
    else if (wire === WIRE_LEN) fields.push({ field, wire, value: take(Number(varint())) });
    else if (wire === WIRE_I32) fields.push({ field, wire, value: take(4) });
    else throw new Error(`protobuf: unsupported wire type ${wire} for field ${field}`);
  }
  return fields;
}

/** Decodes a packed (or single unpacked) repeated varint field value. */
export function readPackedVarints(bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
    }
    out.push(result);
  }
  return out;
}

export function decodeString(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Interprets an unsigned 64-bit varint as a signed int64 (ONNX dims and int attributes). */
export function toSigned(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}
