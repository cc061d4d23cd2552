import type { Rng } from './rng.js';

/**
 * Batches by length: examples are shuffled, cut into pools of `poolBatches` batches, each pool is
 * sorted by length and cut into batches, and the batches are shuffled. Similar lengths share a
 * batch, so little compute goes to padding, while the pools keep each epoch's batches different.
 * Returns lists of example indices; every index appears exactly once.
 */
export function lengthBatches(
  lengths: readonly number[],
  batchSize: number,
  rng: Rng,
  poolBatches = 16,
): number[][] {
  const order = rng.shuffle(lengths.map((_, index) => index));
  const pool = Math.max(1, batchSize * poolBatches);
  const batches: number[][] = [];

  for (let begin = 0; begin < order.length; begin += pool) {
    const slice = order.slice(begin, begin + pool);
    // Array.prototype.sort is stable, so ties keep the shuffled order.
    slice.sort((a, b) => lengths[a] - lengths[b]);
    for (let at = 0; at < slice.length; at += batchSize)
      batches.push(slice.slice(at, at + batchSize));
  }
  return rng.shuffle(batches);
}

/** Fixed batches in input order, sorted by length inside each chunk; for evaluation. */
export function evalBatches(lengths: readonly number[], batchSize: number): number[][] {
  const order = lengths.map((_, index) => index).sort((a, b) => lengths[a] - lengths[b]);
  const batches: number[][] = [];
  for (let at = 0; at < order.length; at += batchSize)
    batches.push(order.slice(at, at + batchSize));
  return batches;
}
