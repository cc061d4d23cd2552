import { describe, expect, it } from 'vitest';
import { packRows } from '../../src/nlu/encode.js';
import type { Encoded } from '../../src/nlu/featurize.js';

const K = 3;

/** An encoded message whose rows have the given ids (0 = empty slot); no tokens are needed. */
function message(...rows: number[][]): Encoded {
  return {
    tokens: [],
    featureIds: Int32Array.from(rows.flatMap((row) => [...row, ...Array(K - row.length).fill(0)])),
    length: rows.length,
    truncated: false,
  };
}

const numbers = (t: { data: unknown }) => Array.from(t.data as ArrayLike<number | bigint>, Number);

describe('packRows', () => {
  // Two messages: [CLS, a, b] and [CLS, b]; rows repeat across and within messages.
  const cls = [1];
  const a = [5, 9];
  const b = [7, 9, 11];
  const batch = packRows([message(cls, a, b), message(cls, b)], {
    featuresPerToken: K,
    localWindow: 1,
  });
  const { inputs } = batch;

  it('puts the real rows one message after another, each naming its distinct id row', () => {
    expect(Array.from(batch.firstRow)).toEqual([0, 3]);
    expect(inputs.featureIds.dims).toEqual([3, K]);
    expect(numbers(inputs.featureIds)).toEqual([1, 0, 0, 5, 9, 0, 7, 9, 11]);
    expect(numbers(inputs.bagRows)).toEqual([0, 1, 2, 0, 2]);
    const scale = numbers(inputs.rowScale);
    [1, 1 / Math.sqrt(2), 1 / Math.sqrt(3)].forEach((want, i) =>
      expect(scale[i]).toBeCloseTo(want, 6),
    );
    expect(numbers(inputs.positions)).toEqual([0, 1, 2, 0, 1]);
  });

  it('maps rows to and from the padded view, and neighbours inside each message only', () => {
    expect(inputs.tokenMask.dims).toEqual([2, 3]);
    expect(numbers(inputs.tokenMask)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(numbers(inputs.rowSlots)).toEqual([0, 1, 2, 3, 4]);
    expect(numbers(inputs.slotRows)).toEqual([0, 1, 2, 3, 4, 0]);
    // 5 is the zero row appended after the 5 real rows
    expect(numbers(inputs.windowRows)).toEqual([5, 0, 1, 0, 1, 2, 1, 2, 5, 5, 3, 4, 3, 4, 5]);
  });

  it('leaves the window input out for a model without a local window', () => {
    const plain = packRows([message(cls, a)], { featuresPerToken: K, localWindow: 0 });
    expect(Object.keys(plain.inputs).sort()).toEqual([
      'bagRows',
      'featureIds',
      'positions',
      'rowScale',
      'rowSlots',
      'slotRows',
      'tokenMask',
    ]);
  });
});
