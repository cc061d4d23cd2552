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
  readonly weights: Float32Array;
  /** AdamW's first and second moments, interleaved per row: [m of row 0, v of row 0, ...]. */
  private readonly moments: Float32Array;
  /** Reused between steps for the touched rows' gradients (grown when a batch needs more). */
  private scratch = new Float32Array(0);
  /** Per row: its index among this step's touched rows, or -1. Reset after every update. */
  private readonly slotOf: Int32Array;

  constructor(
    readonly name: string,
    readonly rowCount: number,
    readonly width: number,
    initial: Float32Array,
    private readonly decay: boolean,
  ) {
    if (initial.length !== rowCount * width) {
      throw new Error(
        `host table ${name}: initial value has ${initial.length} values, expected ` +
          `${rowCount} x ${width}`,
      );
    }
    this.weights = Float32Array.from(initial);
    this.moments = new Float32Array(2 * initial.length);
    this.slotOf = new Int32Array(rowCount).fill(-1);
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
    const { touched, grads } = this.rowGradients(input, bagGrad);
    let squares = 0;
    for (let i = 0; i < grads.length; i++) squares += grads[i] * grads[i];
    const norm = Math.sqrt(squares);
    const clip =
      options.clipNorm === undefined ? 1 : options.clipNorm / Math.max(norm, options.clipNorm);

    const { beta1, beta2, eps } = options;
    const rootB2 = Math.sqrt(1 - Math.pow(beta2, step));
    const stepSize = (lr * rootB2) / (1 - Math.pow(beta1, step));
    const epsHat = rootB2 * eps;
    const keep = this.decay ? 1 - lr * options.weightDecay : 1;
    const [mCoef, vCoef] = [(1 - beta1) * clip, (1 - beta2) * clip * clip];
    const { weights, moments, slotOf } = this;
    const d = this.width;
    for (let u = 0; u < touched.length; u++) {
      const row = touched[u];
      const base = row * d;
      const mBase = 2 * base;
      const vBase = mBase + d;
      const from = u * d;
      for (let j = 0; j < d; j++) {
        const g = grads[from + j];
        const mj = beta1 * moments[mBase + j] + mCoef * g;
        const vj = beta2 * moments[vBase + j] + vCoef * g * g;
        moments[mBase + j] = mj;
        moments[vBase + j] = vj;
        weights[base + j] = weights[base + j] * keep - (stepSize * mj) / (Math.sqrt(vj) + epsHat);
      }
      slotOf[row] = -1;
    }
    return norm;
  }

  /** The distinct rows a batch read, and the sum of their gradients `[U, D]`. */
  private rowGradients(
    input: SparseBatch,
    bagGrad: Float32Array,
  ): { touched: Int32Array; grads: Float32Array } {
    const d = this.width;
    const { ids, weights, slots } = input;
    const rowCount = input.batch * input.rows;
    if (bagGrad.length !== rowCount * d) {
      throw new Error(
        `host table ${this.name}: bag gradient has ${bagGrad.length} values, ` +
          `expected ${rowCount} x ${d}`,
      );
    }
    // Distinct ids in ascending order: the update then walks the table forwards, which the
    // memory system serves about 1.5x faster than the order the batch met them in.
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
    const size = touched.length * d;
    if (this.scratch.length < size) this.scratch = new Float32Array(size);
    const grads = this.scratch.subarray(0, size).fill(0);
    for (let row = 0; row < rowCount; row++) {
      for (let s = row * slots; s < (row + 1) * slots; s++) {
        const w = weights[s];
        if (w === 0) continue;
        const target = slotOf[ids[s]] * d;
        const source = row * d;
        for (let j = 0; j < d; j++) grads[target + j] += w * bagGrad[source + j];
      }
    }
    return { touched, grads };
  }

  private checkedId(id: number): number {
    if (id >= 0 && id < this.rowCount) return id;
    throw new Error(`host table ${this.name}: id ${id} is outside [0, ${this.rowCount})`);
  }
}
