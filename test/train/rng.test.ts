import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/train/rng.js';
import { dropoutMask } from '../../src/train/trainer.js';

describe('createRng', () => {
  it('fills raw 32-bit draws that are next() times 2^32, and continues the stream', () => {
    const filler = createRng(5);
    const bits = new Uint32Array(1000);
    filler.fillBits(bits);
    const reference = createRng(5);
    expect(Array.from(bits)).toEqual(
      Array.from({ length: 1000 }, () => reference.next() * 4294967296),
    );
    expect(filler.next()).toBe(reference.next());
  });

  it('gives different streams for different seeds and fork labels', () => {
    expect(createRng(1).next()).not.toBe(createRng(2).next());
    const base = createRng(1);
    expect(base.fork('a').next()).not.toBe(base.fork('b').next());
    expect(base.fork('a').next()).toBe(createRng(1).fork('a').next());
  });
});

describe('dropoutMask', () => {
  it.each([0.1, 0.25, 0.5])(
    'zeroes a share %f of units and scales the rest by 1/(1-rate)',
    (rate) => {
      const mask = dropoutMask(200_001, rate, createRng(3));
      const zeros = mask.filter((x) => x === 0).length / mask.length;
      expect(Math.abs(zeros - rate)).toBeLessThan(0.005);
      expect(new Set(mask.filter((x) => x !== 0))).toEqual(new Set([Math.fround(1 / (1 - rate))]));
    },
  );

  it.each([1, 2, 7, 1000])(
    'drops unit i when its 16-bit half of draw i/2 (low half first) is below rate * 65536 (size %i)',
    (size) => {
      const rate = 0.3;
      const mask = dropoutMask(size, rate, createRng(8));
      const draws = createRng(8);
      const expected: number[] = [];
      for (let i = 0; i < size; i += 2) {
        const draw = draws.next() * 4294967296;
        for (const half of [draw & 0xffff, draw >>> 16].slice(0, size - i)) {
          expected.push(half < Math.round(rate * 65536) ? 0 : Math.fround(1 / (1 - rate)));
        }
      }
      expect(Array.from(mask)).toEqual(expected);
    },
  );
});
