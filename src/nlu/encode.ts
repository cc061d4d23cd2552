import { Tensor } from 'onnxruntime-node';
import type { Rng } from '../train/rng.js';
import type { Encoded } from './featurize.js';

/**
 * Packs encoded messages into the model's input tensors (layouts in model.ts), padded to the
 * longest message of the batch. Every call allocates fresh buffers: concurrent predictions never
 * share an input array.
 */
export interface PackedBatch {
  batch: number;
  /** T: rows per message after padding (tokens + 1 for __CLS__). */
  rows: number;
  /** K: feature slots per row. */
  slots: number;
  /** [B,T,K] feature ids, 0 = empty slot (int64 only in the forward graph's feed). */
  featureIds: Int32Array;
  /** Per slot [B,T,K]: 1/sqrt(kept ids in the row) at kept ids; training only. */
  featureWeights: Float32Array;
  /** Per row [B,T]: 1/sqrt(ids in the row), 0 for padding rows. */
  rowScale: Float32Array;
  tokenMask: Float32Array;
  positions: BigInt64Array;
}

export interface PackOptions {
  /** K: feature slots per row. */
  featuresPerToken: number;
  /** Training: also fill `featureWeights` (per-slot weights, with feature dropout). */
  slotWeights?: boolean;
  /** Training only: chance of leaving out each token feature, and the generator that decides. */
  featureDropout?: { rate: number; rng: Rng };
  /** Training only: chance of leaving out all features of a token row (not __CLS__). */
  tokenDropout?: number;
}

export function packBatch(items: readonly Encoded[], options: PackOptions): PackedBatch {
  const k = options.featuresPerToken;
  const batch = items.length;
  const rows = Math.max(1, ...items.map((item) => item.length));
  const featureIds = new Int32Array(batch * rows * k);
  const featureWeights = new Float32Array(options.slotWeights ? batch * rows * k : 0);
  const rowScale = new Float32Array(batch * rows);
  const tokenMask = new Float32Array(batch * rows);
  const positions = new BigInt64Array(rows);
  for (let t = 0; t < rows; t++) positions[t] = BigInt(t);

  items.forEach((item, b) => {
    for (let t = 0; t < item.length; t++) {
      tokenMask[b * rows + t] = 1;
      const source = t * k;
      const target = (b * rows + t) * k;
      const real = copyIds(item.featureIds, source, featureIds, target, k);
      rowScale[b * rows + t] = bagScale(real);
      if (!options.slotWeights) continue;
      // Row 0 is __CLS__: its one feature is never dropped.
      const drop = t > 0 ? options.featureDropout : undefined;
      if (drop && options.tokenDropout && drop.rng.next() < options.tokenDropout) continue;
      weighSlots(featureIds, featureWeights, target, k, drop);
    }
  });
  return { batch, rows, slots: k, featureIds, featureWeights, rowScale, tokenMask, positions };
}

/**
 * How an exported graph takes its rows: `packed` (manifest format 2: message after message, see
 * model.ts) or `padded` (format 1: [B,T,*], every message padded to the longest).
 */
export type ForwardLayout = 'packed' | 'padded';

/** The layout of the graph a manifest of `formatVersion` comes with (artifact.ts). */
export function forwardLayoutOf(formatVersion: number): ForwardLayout {
  return formatVersion === 1 ? 'padded' : 'packed';
}

/** One session call's inputs, and where each message's rows are in its `tagLogits`. */
export interface ForwardBatch {
  inputs: Record<string, Tensor>;
  /** Row of message b's __CLS__ in the tag logits; its tokens follow it. */
  firstRow: Int32Array;
}

/** What fixes the shapes of a model's inputs besides the batch. */
export interface InputShape {
  /** K: feature slots per row. */
  featuresPerToken: number;
  /** The model's local window radius (0: none). */
  localWindow: number;
}

/** The forward graph's inputs for `items`, in the graph's layout. */
export function forwardBatch(
  items: readonly Encoded[],
  shape: InputShape,
  layout: ForwardLayout,
): ForwardBatch {
  if (layout === 'packed') return packRows(items, shape);
  const packed = packBatch(items, { featuresPerToken: shape.featuresPerToken });
  const firstRow = Int32Array.from(items, (_, b) => b * packed.rows);
  return { inputs: forwardInputs(packed), firstRow };
}

/**
 * The packed layout (model.ts): the real rows of every message one after another, each naming
 * its id row among the batch's distinct ones, with the indexes that map the rows to and from
 * the padded [B,T] view that attention reads.
 */
export function packRows(items: readonly Encoded[], shape: InputShape): ForwardBatch {
  const { featuresPerToken: k, localWindow: radius } = shape;
  const batch = items.length;
  const rows = Math.max(1, ...items.map((item) => item.length));
  const firstRow = new Int32Array(batch);
  let count = 0;
  items.forEach((item, b) => {
    firstRow[b] = count;
    count += item.length;
  });

  const distinct = new DistinctRows(k, count);
  const bagRows = new Int32Array(count);
  const positions = new Int32Array(count);
  const rowSlots = new Int32Array(count);
  const slotRows = new Int32Array(batch * rows); // slots past a message's end read row 0
  const tokenMask = new Float32Array(batch * rows);
  items.forEach((item, b) => {
    for (let t = 0; t < item.length; t++) {
      const row = firstRow[b] + t;
      const slot = b * rows + t;
      bagRows[row] = distinct.add(item.featureIds, t * k);
      positions[row] = t;
      rowSlots[row] = slot;
      slotRows[slot] = row;
      tokenMask[slot] = 1;
    }
  });
  const unique = distinct.count;
  const inputs: Record<string, Tensor> = {
    featureIds: new Tensor('int64', widenIds(distinct.ids.subarray(0, unique * k)), [unique, k]),
    rowScale: new Tensor('float32', distinct.scale.subarray(0, unique), [unique]),
    bagRows: new Tensor('int64', widenIds(bagRows), [count]),
    positions: new Tensor('int64', widenIds(positions), [count]),
    tokenMask: new Tensor('float32', tokenMask, [batch, rows]),
    slotRows: new Tensor('int64', widenIds(slotRows), [batch * rows]),
    rowSlots: new Tensor('int64', widenIds(rowSlots), [count]),
  };
  if (radius > 0) inputs.windowRows = windowRows(items, firstRow, count, radius);
  return { inputs, firstRow };
}

/**
 * For each packed row, the packed rows at offsets -radius .. radius in the same message, or
 * `count` (the graph's zero row) past either end: int64 [count, 2 * radius + 1].
 */
function windowRows(
  items: readonly Encoded[],
  firstRow: Int32Array,
  count: number,
  radius: number,
): Tensor {
  const width = 2 * radius + 1;
  const rows = new Int32Array(count * width);
  items.forEach((item, b) => {
    for (let t = 0; t < item.length; t++) {
      const at = (firstRow[b] + t) * width;
      for (let offset = -radius; offset <= radius; offset++) {
        const inside = t + offset >= 0 && t + offset < item.length;
        rows[at + offset + radius] = inside ? firstRow[b] + t + offset : count;
      }
    }
  });
  return new Tensor('int64', widenIds(rows), [count, width]);
}

/** The inputs of a format-1 (padded) forward graph for a packed batch. */
export function forwardInputs(packed: PackedBatch): Record<string, Tensor> {
  const { batch, rows } = packed;
  return {
    featureIds: featureIdsTensor(packed),
    rowScale: new Tensor('float32', packed.rowScale, [batch, rows]),
    tokenMask: new Tensor('float32', packed.tokenMask, [batch, rows]),
    positions: new Tensor('int64', packed.positions, [rows]),
  };
}

/** The `featureIds` input [B,T,K] of a packed batch (int64, as the graphs take it). */
export function featureIdsTensor(packed: PackedBatch): Tensor {
  return new Tensor('int64', widenIds(packed.featureIds), [
    packed.batch,
    packed.rows,
    packed.slots,
  ]);
}

/**
 * Non-negative int32 values as int64 without a BigInt per element (measured: that conversion
 * took a third of a batch of 64's time): on a little-endian machine each int64 is the int32 in
 * its low word and zero in its high word.
 */
function widenIds(ids: Int32Array): BigInt64Array {
  const wide = new BigInt64Array(ids.length);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < ids.length; i++) wide[i] = BigInt(ids[i]);
    return wide;
  }
  const words = new Int32Array(wide.buffer);
  for (let i = 0; i < ids.length; i++) words[2 * i] = ids[i];
  return wide;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The distinct id rows of a batch, each with its bag scale 1/sqrt(real ids), found by a hash of
 * the row's ids (chained in Int32Arrays; rows are compared id by id on a hash match).
 */
class DistinctRows {
  readonly ids: Int32Array;
  readonly scale: Float32Array;
  count = 0;
  private readonly heads: Int32Array;
  private readonly next: Int32Array;
  private readonly hashes: Int32Array;

  constructor(
    private readonly k: number,
    capacity: number,
  ) {
    this.ids = new Int32Array(capacity * k);
    this.scale = new Float32Array(capacity);
    this.next = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
    let buckets = 16;
    while (buckets < 2 * capacity) buckets *= 2;
    this.heads = new Int32Array(buckets).fill(-1);
  }

  /** The index of the row `source[from .. from + k)` among the distinct rows, added if new. */
  add(source: Int32Array, from: number): number {
    const { k, ids } = this;
    let hash = 0x811c9dc5;
    for (let s = 0; s < k; s++) hash = Math.imul(hash ^ source[from + s], 0x01000193);
    const bucket = (hash ^ (hash >>> 15)) & (this.heads.length - 1);
    for (let at = this.heads[bucket]; at >= 0; at = this.next[at]) {
      if (this.hashes[at] === hash && sameIds(ids, at * k, source, from, k)) return at;
    }
    const index = this.count++;
    this.scale[index] = bagScale(copyIds(source, from, ids, index * k, k));
    this.hashes[index] = hash;
    this.next[index] = this.heads[bucket];
    this.heads[bucket] = index;
    return index;
  }
}

function sameIds(a: Int32Array, at: number, b: Int32Array, from: number, k: number): boolean {
  for (let s = 0; s < k; s++) if (a[at + s] !== b[from + s]) return false;
  return true;
}

/** A bag's weight per id, 1/sqrt(ids), so its scale does not depend on how many ids it has. */
function bagScale(ids: number): number {
  return ids > 0 ? 1 / Math.sqrt(ids) : 0;
}

/** Copies one row's ids into a zero-filled target; returns how many are real (non-zero). */
function copyIds(source: Int32Array, from: number, ids: Int32Array, to: number, k: number): number {
  let real = 0;
  for (let s = 0; s < k; s++) {
    const id = source[from + s];
    if (id === 0) continue;
    ids[to + s] = id;
    real++;
  }
  return real;
}

/**
 * Gives each kept id of a row the weight 1/sqrt(kept ids), so the bag's scale does not depend on
 * how many n-grams a word has. A dropped id keeps its slot but weighs 0; at least one id always
 * stays.
 */
function weighSlots(
  ids: Int32Array,
  weights: Float32Array,
  to: number,
  k: number,
  drop: { rate: number; rng: Rng } | undefined,
): void {
  let kept = 0;
  let firstReal = -1;
  for (let s = 0; s < k; s++) {
    if (ids[to + s] === 0) continue;
    if (firstReal < 0) firstReal = s;
    if (drop && drop.rng.next() < drop.rate) continue;
    weights[to + s] = 1;
    kept++;
  }
  if (kept === 0 && firstReal >= 0) {
    weights[to + firstReal] = 1;
    kept = 1;
  }
  const scale = bagScale(kept);
  for (let s = 0; s < k; s++) weights[to + s] *= scale;
}
