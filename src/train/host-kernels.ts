/**
 * The inner loops of the host tables (host-table.ts) as WebAssembly with 128-bit SIMD. The same
 * loops in JavaScript measured 4 to 11 ns per float here (scalar, bounds-checked, converting
 * every float32 to a double and back), about a third of a Banking77 training step. The module
 * is written as WebAssembly text below and assembled once per process by wabt, which is loaded
 * only then: serving a model never pays for it.
 *
 * Addresses are byte offsets into the table's memory; rows are `width` floats, processed four at
 * a time, then one at a time for the rest.
 */
const KERNELS_WAT = `
(module
  (import "env" "memory" (memory 1))

  ;; For each of count pairs (target, source, weight) at pairs, 12 bytes each:
  ;; row at target += weight * row at source.
  (func (export "accumulate")
    (param $pairs i32) (param $count i32) (param $rowBytes i32) (param $vecBytes i32)
    (local $end i32) (local $t i32) (local $s i32) (local $w f32) (local $wv v128) (local $j i32)
    (local.set $end (i32.add (local.get $pairs) (i32.mul (local.get $count) (i32.const 12))))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $pairs) (local.get $end)))
        (local.set $t (i32.load (local.get $pairs)))
        (local.set $s (i32.load offset=4 (local.get $pairs)))
        (local.set $w (f32.load offset=8 (local.get $pairs)))
        (local.set $wv (f32x4.splat (local.get $w)))
        (local.set $j (i32.const 0))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.ge_u (local.get $j) (local.get $vecBytes)))
            (v128.store (i32.add (local.get $t) (local.get $j))
              (f32x4.add
                (v128.load (i32.add (local.get $t) (local.get $j)))
                (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $s) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (f32.store (i32.add (local.get $t) (local.get $j))
              (f32.add
                (f32.load (i32.add (local.get $t) (local.get $j)))
                (f32.mul (local.get $w) (f32.load (i32.add (local.get $s) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $tail)))
        (local.set $pairs (i32.add (local.get $pairs) (i32.const 12)))
        (br $pair))))

  ;; Sum of squares of count floats at from, accumulated in float64.
  (func (export "sumSquares") (param $from i32) (param $count i32) (result f64)
    (local $end i32) (local $sum f64) (local $x f64)
    (local.set $end (i32.add (local.get $from) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $from) (local.get $end)))
        (local.set $x (f64.promote_f32 (f32.load (local.get $from))))
        (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $x) (local.get $x))))
        (local.set $from (i32.add (local.get $from) (i32.const 4)))
        (br $next)))
    (local.get $sum))

  ;; AdamW on count touched rows (row indexes as i32 at rows), gradients row after row at grads;
  ;; weights at weights, moments at moments interleaved per row (m of the row, then v).
  (func (export "adamRows")
    (param $rows i32) (param $count i32) (param $grads i32) (param $weights i32)
    (param $moments i32) (param $rowBytes i32) (param $vecBytes i32)
    (param $beta1 f32) (param $beta2 f32) (param $mCoef f32) (param $vCoef f32)
    (param $stepSize f32) (param $epsHat f32) (param $keep f32)
    (local $end i32) (local $row i32) (local $w i32) (local $m i32) (local $v i32) (local $j i32)
    (local $g v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local $b1 v128) (local $b2 v128) (local $mc v128) (local $vc v128)
    (local $step v128) (local $eps v128) (local $kp v128)
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $mc (f32x4.splat (local.get $mCoef)))
    (local.set $vc (f32x4.splat (local.get $vCoef)))
    (local.set $step (f32x4.splat (local.get $stepSize)))
    (local.set $eps (f32x4.splat (local.get $epsHat)))
    (local.set $kp (f32x4.splat (local.get $keep)))
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $nextRow
        (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
        (local.set $row (i32.load (local.get $rows)))
        (local.set $w (i32.add (local.get $weights) (i32.mul (local.get $row) (local.get $rowBytes))))
        (local.set $m (i32.add (local.get $moments)
          (i32.mul (local.get $row) (i32.shl (local.get $rowBytes) (i32.const 1)))))
        (local.set $v (i32.add (local.get $m) (local.get $rowBytes)))
        (local.set $j (i32.const 0))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.ge_u (local.get $j) (local.get $vecBytes)))
            (local.set $g (v128.load (i32.add (local.get $grads) (local.get $j))))
            (local.set $mv (f32x4.add
              (f32x4.mul (local.get $b1) (v128.load (i32.add (local.get $m) (local.get $j))))
              (f32x4.mul (local.get $mc) (local.get $g))))
            (local.set $vv (f32x4.add
              (f32x4.mul (local.get $b2) (v128.load (i32.add (local.get $v) (local.get $j))))
              (f32x4.mul (local.get $vc) (f32x4.mul (local.get $g) (local.get $g)))))
            (v128.store (i32.add (local.get $m) (local.get $j)) (local.get $mv))
            (v128.store (i32.add (local.get $v) (local.get $j)) (local.get $vv))
            (v128.store (i32.add (local.get $w) (local.get $j))
              (f32x4.sub
                (f32x4.mul (v128.load (i32.add (local.get $w) (local.get $j))) (local.get $kp))
                (f32x4.div (f32x4.mul (local.get $step) (local.get $mv))
                  (f32x4.add (f32x4.sqrt (local.get $vv)) (local.get $eps)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $gs (f32.load (i32.add (local.get $grads) (local.get $j))))
            (local.set $ms (f32.add
              (f32.mul (local.get $beta1) (f32.load (i32.add (local.get $m) (local.get $j))))
              (f32.mul (local.get $mCoef) (local.get $gs))))
            (local.set $vs (f32.add
              (f32.mul (local.get $beta2) (f32.load (i32.add (local.get $v) (local.get $j))))
              (f32.mul (local.get $vCoef) (f32.mul (local.get $gs) (local.get $gs)))))
            (f32.store (i32.add (local.get $m) (local.get $j)) (local.get $ms))
            (f32.store (i32.add (local.get $v) (local.get $j)) (local.get $vs))
            (f32.store (i32.add (local.get $w) (local.get $j))
              (f32.sub
                (f32.mul (f32.load (i32.add (local.get $w) (local.get $j))) (local.get $keep))
                (f32.div (f32.mul (local.get $stepSize) (local.get $ms))
                  (f32.add (f32.sqrt (local.get $vs)) (local.get $epsHat)))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $tail)))
        (local.set $grads (i32.add (local.get $grads) (local.get $rowBytes)))
        (local.set $rows (i32.add (local.get $rows) (i32.const 4)))
        (br $nextRow))))
)
`;

export interface HostKernels {
  accumulate(pairs: number, count: number, rowBytes: number, vecBytes: number): void;
  sumSquares(from: number, count: number): number;
  adamRows(
    rows: number,
    count: number,
    grads: number,
    weights: number,
    moments: number,
    rowBytes: number,
    vecBytes: number,
    beta1: number,
    beta2: number,
    mCoef: number,
    vCoef: number,
    stepSize: number,
    epsHat: number,
    keep: number,
  ): void;
}

/** The parts of the WebAssembly API used here (TypeScript's ES libs leave it out). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes per WebAssembly memory page. */
export const WASM_PAGE = 65536;

/** Memory of at least `bytes`. */
export function wasmMemory(bytes: number): WasmMemory {
  return new wasm.Memory({ initial: Math.ceil(bytes / WASM_PAGE) });
}

let compiled: Promise<object> | undefined;

/** The kernels module, assembled on first use. */
function kernelsModule(): Promise<object> {
  compiled ??= (async () => {
    const { default: wabtInit } = await import('wabt');
    const wabt = await wabtInit();
    const parsed = wabt.parseWat('host-kernels.wat', KERNELS_WAT, { simd: true });
    try {
      return new wasm.Module(parsed.toBinary({}).buffer);
    } finally {
      parsed.destroy();
    }
  })();
  return compiled;
}

/** The kernels over `memory`. */
export async function hostKernels(memory: WasmMemory): Promise<HostKernels> {
  const instance = new wasm.Instance(await kernelsModule(), { env: { memory } });
  return instance.exports as unknown as HostKernels;
}
