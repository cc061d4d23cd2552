import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { evaluate, type EvalItem } from '../../src/eval/metrics.js';
import { item, span } from './helpers.js';

describe('evaluate: intents', () => {
  // gold -> predicted: greet x2 right, greet -> goodbye, goodbye right, refund -> goodbye, refund right.
  // Confusion (rows gold, cols predicted; labels goodbye, greet, refund):
  //   goodbye [1 0 0], greet [1 2 0], refund [1 0 1]
  // goodbye: tp 1, predicted 3, support 1 -> P 1/3, R 1,   F1 2(1/3)(1)/(4/3) = 1/2
  // greet:   tp 2, predicted 2, support 3 -> P 1,   R 2/3, F1 2(2/3)/(5/3)    = 4/5
  // refund:  tp 1, predicted 1, support 2 -> P 1,   R 1/2, F1 2(1/2)/(3/2)    = 2/3
  // accuracy 4/6; macro P (1/3+1+1)/3 = 7/9, R (1+2/3+1/2)/3 = 13/18, F1 (1/2+4/5+2/3)/3 = 59/90
  // weighted (supports 1, 3, 2): P (1/3+3+2)/6 = 8/9, R 4/6, F1 (1/2+12/5+4/3)/6 = 127/180
  const items = [
    item('greet', 'greet'),
    item('greet', 'greet'),
    item('greet', 'goodbye'),
    item('goodbye', 'goodbye'),
    item('refund', 'goodbye'),
    item('refund', 'refund'),
  ];
  const e = evaluate(items);

  it('computes accuracy and per-label scores', () => {
    expect(e.count).toBe(6);
    expect(e.intent.accuracy).toBeCloseTo(4 / 6, 12);
    expect(e.intent.perLabel.goodbye.precision).toBeCloseTo(1 / 3, 12);
    expect(e.intent.perLabel.goodbye.recall).toBe(1);
    expect(e.intent.perLabel.goodbye.f1).toBeCloseTo(1 / 2, 12);
    expect(e.intent.perLabel.greet).toEqual({
      precision: 1,
      recall: expect.closeTo(2 / 3, 12),
      f1: expect.closeTo(4 / 5, 12),
      support: 3,
    });
    expect(e.intent.perLabel.refund.f1).toBeCloseTo(2 / 3, 12);
    expect(e.intent.perLabel.refund.support).toBe(2);
  });

  it('computes macro and weighted averages', () => {
    expect(e.intent.macro.precision).toBeCloseTo(7 / 9, 12);
    expect(e.intent.macro.recall).toBeCloseTo(13 / 18, 12);
    expect(e.intent.macro.f1).toBeCloseTo(59 / 90, 12);
    expect(e.intent.weighted.precision).toBeCloseTo(8 / 9, 12);
    expect(e.intent.weighted.recall).toBeCloseTo(4 / 6, 12);
    expect(e.intent.weighted.f1).toBeCloseTo(127 / 180, 12);
  });

  it('builds the confusion matrix with gold rows and predicted columns', () => {
    expect(e.intent.confusion).toEqual({
      labels: ['goodbye', 'greet', 'refund'],
      matrix: [
        [1, 0, 0],
        [1, 2, 0],
        [1, 0, 1],
      ],
    });
  });

  it('lists confused pairs largest first, ties by gold name', () => {
    expect(e.intent.mostConfused).toEqual([
      { gold: 'greet', predicted: 'goodbye', count: 1 },
      { gold: 'refund', predicted: 'goodbye', count: 1 },
    ]);
    const more = evaluate([...items, item('refund', 'greet'), item('refund', 'greet')]);
    expect(more.intent.mostConfused[0]).toEqual({ gold: 'refund', predicted: 'greet', count: 2 });
    expect(evaluate(items, { maxConfusedPairs: 1 }).intent.mostConfused).toHaveLength(1);
  });

  it('scores a predicted label never seen in gold with support 0, counted in the macro average', () => {
    // a: tp 1, predicted 1, support 2 -> F1 2/3; b: F1 1; c (only predicted): P 0, R 0, F1 0.
    // macro F1 (2/3 + 1 + 0)/3 = 5/9; weighted F1 (2/3*2 + 1*1)/3 = 7/9
    const unseen = evaluate([item('a', 'a'), item('a', 'c'), item('b', 'b')]);
    expect(unseen.intent.confusion.labels).toEqual(['a', 'b', 'c']);
    expect(unseen.intent.perLabel.c).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(unseen.intent.macro.f1).toBeCloseTo(5 / 9, 12);
    expect(unseen.intent.weighted.f1).toBeCloseTo(7 / 9, 12);
  });

  it('survives a JSON round trip unchanged', () => {
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });
});

describe('evaluate: entities', () => {
  // item 1: order_id exact hit; amount off by one at the end (one FP and one FN)
  // item 2: order_id missed; item 3: a spurious email span
  // order_id: tp 1, predicted 1, gold 2 -> P 1, R 1/2, F1 2/3
  // amount:   tp 0, predicted 1, gold 1 -> 0, 0, 0;  email: tp 0, predicted 1, gold 0 -> 0, 0, 0
  // overall micro: tp 1, predicted 3, gold 3 -> P 1/3, R 1/3, F1 1/3
  const items = [
    item('refund', 'refund', {
      gold: [span('order_id', 10, 15), span('amount', 20, 23)],
      predicted: [span('amount', 20, 24), span('order_id', 10, 15)],
    }),
    item('order_status', 'order_status', { gold: [span('order_id', 0, 5)] }),
    item('greet', 'greet', { predicted: [span('email', 3, 9)] }),
  ];
  const e = evaluate(items).entities;

  it('matches exact spans only, per type and overall', () => {
    expect(e.perType.order_id).toEqual({
      precision: 1,
      recall: 0.5,
      f1: expect.closeTo(2 / 3, 12),
      support: 2,
    });
    expect(e.perType.amount).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(e.perType.email).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(e.precision).toBeCloseTo(1 / 3, 12);
    expect(e.recall).toBeCloseTo(1 / 3, 12);
    expect(e.f1).toBeCloseTo(1 / 3, 12);
    expect(e.support).toBe(3);
    expect(e.predicted).toBe(3);
  });

  it('needs the type to match as well as the offsets', () => {
    const wrongType = evaluate([
      item('x', 'x', { gold: [span('order_id', 0, 5)], predicted: [span('amount', 0, 5)] }),
    ]);
    expect(wrongType.entities.f1).toBe(0);
  });

  it('counts a span predicted twice as one hit and one false positive', () => {
    // tp 1, predicted 2, gold 1 -> P 1/2, R 1, F1 2/3
    const twice = evaluate([
      item('x', 'x', {
        gold: [span('order_id', 0, 5)],
        predicted: [span('order_id', 0, 5), span('order_id', 0, 5)],
      }),
    ]).entities;
    expect(twice.precision).toBe(0.5);
    expect(twice.recall).toBe(1);
    expect(twice.f1).toBeCloseTo(2 / 3, 12);
  });

  it('reports 0 with zero support and zero predictions when there are no entities at all', () => {
    const none = evaluate([item('greet', 'greet')]).entities;
    expect(none).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 0, perType: {} });
  });
});

describe('evaluate: out of scope', () => {
  // oos -> oos, oos -> greet, greet -> oos, greet -> greet: oos tp 1, predicted 2, gold 2
  const items = [
    item('out_of_scope', 'out_of_scope'),
    item('out_of_scope', 'greet'),
    item('greet', 'out_of_scope'),
    item('greet', 'greet'),
  ];

  it('reports out-of-scope precision, recall and support', () => {
    expect(evaluate(items).outOfScope).toEqual({
      intent: 'out_of_scope',
      precision: 0.5,
      recall: 0.5,
      support: 2,
    });
  });

  it('uses the configured out-of-scope name', () => {
    const renamed = items.map((i) => ({
      ...i,
      gold: { ...i.gold, intent: i.gold.intent.replace('out_of_scope', 'fallback') },
      predicted: { ...i.predicted, intent: i.predicted.intent.replace('out_of_scope', 'fallback') },
    }));
    expect(evaluate(renamed, { outOfScopeIntent: 'fallback' }).outOfScope?.recall).toBe(0.5);
    expect(evaluate(renamed).outOfScope).toBeUndefined();
  });

  it('is present when only predictions contain it', () => {
    const onlyPredicted = evaluate([item('greet', 'out_of_scope'), item('greet', 'greet')]);
    expect(onlyPredicted.outOfScope).toEqual({
      intent: 'out_of_scope',
      precision: 0,
      recall: 0,
      support: 0,
    });
  });

  it('is absent when neither gold nor predictions contain it', () => {
    expect(evaluate([item('greet', 'greet')]).outOfScope).toBeUndefined();
  });
});

describe('evaluate: invalid input', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return isParleyError(err) ? err.code : 'not a ParleyError';
    }
    return 'no error';
  };

  it('refuses an empty list with a clear error', () => {
    expect(code(() => evaluate([]))).toBe('DATA_INVALID');
    expect(() => evaluate([])).toThrow(/no items/);
  });

  it('refuses a missing intent and an impossible span, naming the item', () => {
    expect(code(() => evaluate([item('', 'greet')]))).toBe('DATA_INVALID');
    const reversed = [item('a', 'a'), item('a', 'a', { predicted: [span('order_id', 5, 5)] })];
    expect(() => evaluate(reversed)).toThrow(/item 1, predicted entity order_id/);
    expect(code(() => evaluate([item('a', 'a', { gold: [span('x', -1, 2)] })]))).toBe(
      'DATA_INVALID',
    );
  });
});

describe('evaluate: invariants', () => {
  const intents = fc.constantFrom('greet', 'refund', 'cancel', 'out_of_scope');
  const anItem = fc
    .record({ gold: intents, predicted: intents })
    .map(({ gold, predicted }): EvalItem => item(gold, predicted));

  it('keeps every score in 0..1 and weighted recall equal to accuracy', () => {
    fc.assert(
      fc.property(fc.array(anItem, { minLength: 1, maxLength: 40 }), (items) => {
        const e = evaluate(items);
        const values = [
          e.intent.accuracy,
          ...Object.values(e.intent.macro),
          ...Object.values(e.intent.weighted),
          ...Object.values(e.intent.perLabel).flatMap((s) => [s.precision, s.recall, s.f1]),
        ];
        expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
        expect(e.intent.weighted.recall).toBeCloseTo(e.intent.accuracy, 12);
        expect(e.intent.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(items.length);
      }),
    );
  });
});
