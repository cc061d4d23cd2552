/**
 * Embedding tables trained in JavaScript next to the ONNX step graph.
 *
 * A table of hashed features is large (tens of thousands of rows) and a batch touches a few
 * thousand of them. Inside the graph, its gradient needs a deterministic segment sum over
 * [B*T*K, D] rows (sort, gather, float64 running sum, difference; ScatterND add races on
 * several threads in onnxruntime 1.30), which measured about a fifth of a Banking77 training
 * step. So the graph reads the table as an input (the JS array itself, not a copy) and sums the
 * bag of each token (`sparseBag`), returns the gradient of that bag, and JS sums it per touched
 * row and updates those rows with the same AdamW as the graph's (LazyAdam: only touched rows
 * move, decay and all). The bag itself runs in the graph because onnxruntime's Gather and
 * ReduceSum do it about three times faster than a JS loop (measured on Banking77: 12 ms of JS
 * per step for the two tables).
 *
 * One difference from the graph's optimizer: gradient clipping. The graph clips its own
 * parameters by their global norm before it returns; the table's gradient is only known after
 * that, so it is clipped by its own norm, with the same limit.
 */
import type { Value } from './graph/graph.js';
import { gather, mul, reduceSum, unsqueeze } from './graph/ops/index.js';
import {
  hostKernels,
  WASM_PAGE,
  wasmMemory,
  type HostKernels,
  type WasmMemory,
} from './host-kernels.js';
import type { AdamWOptions } from './optimizer.js';

/**
 * The bag of every row in the graph: bag[b, t, :] = Σ_k weights[b, t, k] · table[ids[b, t, k], :],
 * `[B, T, D]` from a table `[V, D]`, int64 ids and float32 weights `[B, T, K]`.
 */
export function sparseBag(table: Value, ids: Value, weights: Value): Value {
  return reduceSum(mul(gather(table, ids), unsqueeze(weights, [3])), [2]);
}

/** The sparse input of one batch: K ids per row and their weights, `[B, T, K]` row-major. */
export interface SparseBatch {
  batch: number;
  rows: number;
  slots: number;
  ids: Int32Array;
  /** 0 where a slot is empty or dropped. */
  weights: Float32Array;
}

export class HostTable {
  private memory: WasmMemory;
  private view: {
    buffer: ArrayBuffer;
    weights: Float32Array;
    floats: Float32Array;
    ints: Int32Array;
  };
  /** Per row: its index among this step's touched rows, or -1. Reset after every update. */
  private readonly slotOf: Int32Array;
  /** Bytes of one row, and of its part that the kernels process four floats at a time. */
  private readonly rowBytes: number;
  private readonly vecBytes: number;
  /** Where the per-step scratch starts: after the weights and the moments. */
  private readonly scratchAt: number;

  /**
   * Weights and AdamW's moments (interleaved per row: [m of row 0, v of row 0, ...]) live in
   * WebAssembly memory, where the kernels (host-kernels.ts) read and write them.
   */
  static async create(
    name: string,
    rowCount: number,
    width: number,
    initial: Float32Array,
    decay: boolean,
  ): Promise<HostTable> {
    if (initial.length !== rowCount * width) {
      throw new Error(
        `host table ${name}: initial value has ${initial.length} values, expected ` +
          `${rowCount} x ${width}`,
      );
    }
    const memory = wasmMemory(3 * initial.byteLength + WASM_PAGE);
    return new HostTable(name, rowCount, width, initial, decay, memory, await hostKernels(memory));
  }

  private constructor(
    readonly name: string,
    readonly rowCount: number,
    readonly width: number,
    initial: Float32Array,
    private readonly decay: boolean,
    memory: WasmMemory,
    private readonly kernels: HostKernels,
  ) {
    this.memory = memory;
    this.view = this.views();
    this.view.weights.set(initial);
    this.slotOf = new Int32Array(rowCount).fill(-1);
    this.rowBytes = 4 * width;
    this.vecBytes = 16 * Math.floor(width / 4);
    this.scratchAt = 3 * initial.byteLength;
  }

  /** The table `[rowCount, width]`, a view into its memory (renewed when the memory grows). */
  get weights(): Float32Array {
    return this.views().weights;
  }

  /**
   * One AdamW step (1-based `step`) on the rows the batch touched, from the gradient of the
   * loss with respect to the bag, `[B, T, D]`. Returns the L2 norm of the table's gradient
   * before clipping.
   */
  update(
    input: SparseBatch,
    bagGrad: Float32Array,
    lr: number,
    step: number,
    options: AdamWOptions,
  ): number {
    const d = this.width;
    const rowCount = input.batch * input.rows;
    if (bagGrad.length !== rowCount * d) {
      throw new Error(
        `host table ${this.name}: bag gradient has ${bagGrad.length} values, ` +
          `expected ${rowCount} x ${d}`,
      );
    }
    const touched = this.touchedRows(input);
    const at = this.layScratch(input, bagGrad, touched);
    const { floats } = this.view;
    floats.fill(0, at.grads / 4, at.grads / 4 + touched.length * d);
    this.kernels.accumulate(at.pairs, at.pairCount, this.rowBytes, this.vecBytes);
    const norm = Math.sqrt(this.kernels.sumSquares(at.grads, touched.length * d));

    const clip =
      options.clipNorm === undefined ? 1 : options.clipNorm / Math.max(norm, options.clipNorm);
    const { beta1, beta2, eps } = options;
    const rootB2 = Math.sqrt(1 - Math.pow(beta2, step));
    const stepSize = (lr * rootB2) / (1 - Math.pow(beta1, step));
    const keep = this.decay ? 1 - lr * options.weightDecay : 1;
    this.kernels.adamRows(
      at.touched,
      touched.length,
      at.grads,
      0,
      this.rowCount * this.rowBytes,
      this.rowBytes,
      this.vecBytes,
      beta1,
      beta2,
      (1 - beta1) * clip,
      (1 - beta2) * clip * clip,
      stepSize,
      rootB2 * eps,
      keep,
    );
    for (let u = 0; u < touched.length; u++) this.slotOf[touched[u]] = -1;
    return norm;
  }

  /**
   * The distinct rows the batch read, ascending (the update then walks the table forwards,
   * which the memory system serves faster), each with its index in `slotOf`.
   */
  private touchedRows(input: SparseBatch): Int32Array {
    const { ids, weights } = input;
    const slotOf = this.slotOf;
    const found: number[] = [];
    for (let s = 0; s < ids.length; s++) {
      if (weights[s] === 0) continue;
      const id = this.checkedId(ids[s]);
      if (slotOf[id] < 0) {
        slotOf[id] = 0;
        found.push(id);
      }
    }
    const touched = Int32Array.from(found).sort();
    for (let u = 0; u < touched.length; u++) slotOf[touched[u]] = u;
    return touched;
  }

  /**
   * Writes the step's inputs for the kernels after the moments: the bag gradient, the touched
   * rows, and one (gradient row, bag-gradient row, weight) record per kept slot; leaves room for
   * the touched rows' gradients. Returns the byte offsets.
   */
  private layScratch(input: SparseBatch, bagGrad: Float32Array, touched: Int32Array) {
    const { ids, weights, slots } = input;
    const bag = this.scratchAt;
    const rows = bag + bagGrad.byteLength;
    const pairs = rows + 4 * touched.length;
    const grads = pairs + 12 * ids.length;
    this.ensure(grads + touched.length * this.rowBytes);
    const { floats, ints } = this.view;
    floats.set(bagGrad, bag / 4);
    ints.set(touched, rows / 4);
    let record = pairs / 4;
    for (let s = 0; s < ids.length; s++) {
      const w = weights[s];
      if (w === 0) continue;
      const row = Math.floor(s / slots);
      ints[record] = grads + this.slotOf[ids[s]] * this.rowBytes;
      ints[record + 1] = bag + row * this.rowBytes;
      floats[record + 2] = w;
      record += 3;
    }
    return { bag, touched: rows, pairs, pairCount: (record - pairs / 4) / 3, grads };
  }

  /** Grows the memory to at least `bytes`. */
  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
    this.views();
  }

  /** Views over the current memory buffer (growing the memory replaces the buffer). */
  private views() {
    const buffer = this.memory.buffer;
    if (this.view?.buffer === buffer) return this.view;
    this.view = {
      buffer,
      weights: new Float32Array(buffer, 0, this.rowCount * this.width),
      floats: new Float32Array(buffer),
      ints: new Int32Array(buffer),
    };
    return this.view;
  }

  private checkedId(id: number): number {
    if (id >= 0 && id < this.rowCount) return id;
    throw new Error(`host table ${this.name}: id ${id} is outside [0, ${this.rowCount})`);
  }
}
