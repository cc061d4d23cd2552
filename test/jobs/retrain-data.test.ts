import { describe, expect, it } from 'vitest';
import {
  assembleRunData,
  feedbackProblem,
  type FeedbackExample,
} from '../../src/jobs/retrain-data.js';
import type { TrainingExampleRow } from '../../src/registry/ports.js';

/** Keys where the split is spelled in the text, so each case says where its text falls. */
const keys = {
  hash: (text: string) => `h:${text}`,
  splitOfHash: (hash: string) => (hash.includes('[test]') ? ('test' as const) : ('train' as const)),
};

function row(id: number, text: string, intent: string, origin: TrainingExampleRow['origin']) {
  const split = text.includes('[test]') ? ('test' as const) : ('train' as const);
  return { id, text, intent, entities: [], origin, split, source: null, textHash: keys.hash(text) };
}

function fb(
  id: string,
  text: string,
  intent: string | null,
  kind: 'up' | 'correction' = 'correction',
): FeedbackExample {
  return { feedbackId: id, kind, text, intent, entities: [] };
}

describe('run data', () => {
  const rows = [
    row(1, 'hello', 'greet', 'base'),
    row(2, 'cancel my plan', 'cancel_order', 'base'),
    row(3, 'bye [test]', 'goodbye', 'base'),
    row(4, 'where is it', 'order_status', 'import'),
    row(9, 'money back', 'refund_request', 'feedback'),
  ];

  it('replays stored train examples, and a new label for a stored text replaces it', () => {
    const data = assembleRunData(rows, [fb('f1', 'cancel my plan', 'greet')], keys);
    expect(data.train.map((e) => [e.text, e.intent])).toEqual([
      ['hello', 'greet'],
      ['where is it', 'order_status'],
      ['money back', 'refund_request'],
      ['cancel my plan', 'greet'],
    ]);
    expect(data.replayed).toEqual({ base: 1, import: 1, feedback: 1 });
    expect(data.test.map((e) => e.text)).toEqual(['bye [test]']);
  });

  it('holds out corrections in the test split and leaves out thumbs-up there', () => {
    const data = assembleRunData(
      rows,
      [fb('f1', 'fix [test]', 'refund_request'), fb('f2', 'yes [test]', 'affirm', 'up')],
      keys,
    );
    expect(data.heldOut.map((e) => e.text)).toEqual(['fix [test]']);
    expect(data.feedback.skippedUps.map((f) => f.feedbackId)).toEqual(['f2']);
    expect(data.train.some((e) => e.text.includes('[test]'))).toBe(false);
  });

  it('marks the data with the highest base or imported id, not feedback ones', () => {
    expect(assembleRunData(rows, [], keys).dataMark).toBe(4);
  });

  it.each([
    ['an empty text', fb('x', '  ', 'greet'), 'the message text is empty'],
    ['a thumbs-up without a prediction', fb('x', 'hi', null, 'up'), 'no stored prediction'],
    ['a bad intent name', fb('x', 'hi', 'two words'), 'is not a valid name'],
    [
      'a span past the end',
      {
        ...fb('x', 'refund A1', 'refund_request'),
        entities: [{ type: 'order_id', start: 7, end: 40 }],
      },
      'is outside the text (length 9)',
    ],
    [
      'a span that misses its value',
      {
        ...fb('x', 'refund A1', 'refund_request'),
        entities: [{ type: 'order_id', start: 0, end: 2, value: 'A1' }],
      },
      'does not cover its value',
    ],
    [
      'overlapping spans',
      {
        ...fb('x', 'refund A1', 'refund_request'),
        entities: [
          { type: 'order_id', start: 7, end: 9 },
          { type: 'amount', start: 8, end: 9 },
        ],
      },
      'overlap at 8',
    ],
  ])('refuses %s', (_label, item, problem) => {
    expect(feedbackProblem(item)).toContain(problem);
    expect(assembleRunData([], [item], keys).invalid).toEqual([
      { feedbackId: 'x', problem: expect.stringContaining(problem) },
    ]);
  });
});
