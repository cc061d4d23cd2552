import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/train/rng.js';

describe('createRng', () => {
  it('fills arrays with the very numbers next() would draw, and continues the stream', () => {
    const a = createRng(42);
    const b = createRng(42);
    const filled = new Float64Array(1000);
    a.fillUniform(filled);
    const drawn = Array.from({ length: 1000 }, () => b.next());
    expect(Array.from(filled)).toEqual(drawn);
    expect(a.next()).toBe(b.next());
    expect(Math.min(...filled)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...filled)).toBeLessThan(1);
  });

  it('gives different streams for different seeds and fork labels', () => {
    expect(createRng(1).next()).not.toBe(createRng(2).next());
    const base = createRng(1);
    expect(base.fork('a').next()).not.toBe(base.fork('b').next());
    expect(base.fork('a').next()).toBe(createRng(1).fork('a').next());
  });
});
