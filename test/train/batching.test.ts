import { describe, expect, it } from 'vitest';
import { evalBatches, lengthBatches } from '../../src/train/batching.js';
import { createRng } from '../../src/train/rng.js';
import { learningRateAt } from '../../src/train/schedule.js';

describe('lengthBatches', () => {
  const lengths = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 37) % 50));

  it('uses every example once, in batches of similar length', () => {
    const batches = lengthBatches(lengths, 32, createRng(3), 8);
    const seen = batches.flat().sort((a, b) => a - b);
    expect(seen).toEqual(lengths.map((_, i) => i));
    const spread = batches.map(
      (b) => Math.max(...b.map((i) => lengths[i])) - Math.min(...b.map((i) => lengths[i])),
    );
    const meanSpread = spread.reduce((a, b) => a + b, 0) / spread.length;
    expect(meanSpread).toBeLessThan(10);
  });

  it('is the same for the same seed and differs for another', () => {
    const a = lengthBatches(lengths, 32, createRng(3));
    expect(lengthBatches(lengths, 32, createRng(3))).toEqual(a);
    expect(lengthBatches(lengths, 32, createRng(4))).not.toEqual(a);
  });

  it('evalBatches sorts by length and covers everything', () => {
    const batches = evalBatches([5, 1, 3, 2], 2);
    expect(batches).toEqual([
      [1, 3],
      [2, 0],
    ]);
  });
});

describe('createRng', () => {
  it('repeats for a seed, forks into independent streams', () => {
    const a = createRng(42);
    const b = createRng(42);
    const draws = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(draws);
    expect(createRng(42).fork('x').next()).not.toBe(createRng(42).fork('y').next());
    expect(createRng(42).fork('x').next()).toBe(createRng(42).fork('x').next());
    for (const value of draws) expect(value >= 0 && value < 1).toBe(true);
  });

  it('draws normals with mean 0 and variance 1', () => {
    const rng = createRng(5);
    const values = Array.from({ length: 20000 }, () => rng.normal());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('learningRateAt', () => {
  const schedule = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, floor: 0.1 };

  it('warms up linearly, then decays to the floor', () => {
    expect(learningRateAt(0, { ...schedule, decay: 'linear' })).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(9, { ...schedule, decay: 'linear' })).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(60, { ...schedule, decay: 'linear' })).toBeCloseTo(5.5e-4, 12);
    expect(learningRateAt(60, { ...schedule, decay: 'cosine' })).toBeCloseTo(5.5e-4, 12);
    expect(learningRateAt(35, { ...schedule, decay: 'cosine' })).toBeGreaterThan(
      learningRateAt(35, { ...schedule, decay: 'linear' }),
    );
    expect(learningRateAt(500, { ...schedule, decay: 'cosine' })).toBeCloseTo(1e-4, 12);
  });
});
