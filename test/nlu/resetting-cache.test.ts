import { describe, expect, it } from 'vitest';
import { ResettingCache } from '../../src/nlu/resetting-cache.js';

describe('ResettingCache', () => {
  it('keeps entries up to its capacity, then starts over with the new one', () => {
    const cache = new ResettingCache<number>(3);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, 2, 3]);
    cache.set('d', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d')]).toEqual([
      undefined,
      undefined,
      undefined,
      4,
    ]);
  });
});
