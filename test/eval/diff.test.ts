import { describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { diffPredictions } from '../../src/eval/diff.js';
import { item, span } from './helpers.js';

describe('diffPredictions', () => {
  const gold = [span('order_id', 6, 11)];
  const before = [
    item('refund', 'greet', { gold }, 'first A1234'),
    item('refund', 'refund', { gold, predicted: gold }, 'second'),
    item('greet', 'greet', {}, 'third'),
    item('refund', 'refund', { gold, predicted: [span('order_id', 6, 10)] }, 'fourth'),
  ];
  const after = [
    item('refund', 'refund', { gold, predicted: gold }, 'first A1234'),
    item('refund', 'cancel', { gold, predicted: gold }, 'second'),
    item('greet', 'greet', {}, 'third'),
    item('refund', 'refund', { gold, predicted: gold }, 'fourth'),
  ];

  it('lists what the candidate fixed and broke, counting a wrong span as wrong', () => {
    const diff = diffPredictions(before, after, (text) => text.replace(/A\d{4}/, '<ORDER>'));
    expect(diff.fixed.map((d) => d.text)).toEqual(['first <ORDER>', 'fourth']);
    expect(diff.fixed[1]).toMatchObject({ entitiesRightBefore: false, entitiesRightAfter: true });
    expect(diff.broke).toEqual([
      {
        text: 'second',
        goldIntent: 'refund',
        beforeIntent: 'refund',
        afterIntent: 'cancel',
        entitiesRightBefore: true,
        entitiesRightAfter: true,
      },
    ]);
    expect(diff.nowRight).toBe(3);
    expect(diff.total).toBe(4);
  });

  it('refuses sets that are not the same items in the same order', () => {
    const shuffled = [after[1], after[0], after[2], after[3]];
    const code = (() => {
      try {
        diffPredictions(before, shuffled);
      } catch (err) {
        return isParleyError(err) ? err.code : 'other';
      }
      return 'none';
    })();
    expect(code).toBe('DATA_INVALID');
    expect(() => diffPredictions(before, after.slice(1))).toThrow(/4 items before and 3 after/);
  });
});
