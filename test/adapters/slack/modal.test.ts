import { describe, expect, it } from 'vitest';
import {
  decodeRef,
  encodeRef,
  replyBlocks,
  replySections,
} from '../../../adapters/slack/blocks.js';
import {
  ENTITY_BLOCK_PREFIX,
  fixView,
  INTENT_BLOCK,
  locateMentions,
  readFixSubmission,
  type FixMeta,
} from '../../../adapters/slack/modal.js';

const text = 'refund order A1243, not A1234, mail me at a@b.test';
const meta: FixMeta = {
  ref: { m: 'msg-1', t: text, i: 'order_status' },
  c: 'C_SUPPORT',
  ts: '1.2',
};
const intents = ['order_status', 'refund', 'greet'];

describe('locateMentions', () => {
  it('finds each value and returns offsets into the text', () => {
    const result = locateMentions(text, [
      { type: 'order_id', value: 'A1243', blockId: 'b1' },
      { type: 'email', value: 'a@b.test', blockId: 'b2' },
    ]);
    expect(result).toEqual({
      ok: true,
      entities: [
        { type: 'order_id', start: 13, end: 18 },
        { type: 'email', start: 42, end: 50 },
      ],
    });
    if (result.ok) expect(text.slice(13, 18)).toBe('A1243');
  });

  it('matches ignoring case when there is no exact match', () => {
    const result = locateMentions('Refund Order a1243', [
      { type: 'order_id', value: 'A1243', blockId: 'b' },
    ]);
    expect(result).toEqual({ ok: true, entities: [{ type: 'order_id', start: 13, end: 18 }] });
  });

  it('takes the next free occurrence for a repeated value', () => {
    const result = locateMentions('A1 or A1', [
      { type: 'x', value: 'A1', blockId: 'b' },
      { type: 'x', value: 'A1', blockId: 'b' },
    ]);
    expect(result).toEqual({
      ok: true,
      entities: [
        { type: 'x', start: 0, end: 2 },
        { type: 'x', start: 6, end: 8 },
      ],
    });
  });

  it('explains a value that is not in the text, on its own input block', () => {
    const result = locateMentions(text, [
      { type: 'order_id', value: 'B9999', blockId: 'parley_entity:order_id' },
    ]);
    expect(result).toEqual({
      ok: false,
      errors: {
        'parley_entity:order_id':
          '"B9999" is not in the message. Copy the words exactly as they appear.',
      },
    });
  });

  it('refuses a value listed more often than it appears', () => {
    const result = locateMentions('A1 only', [
      { type: 'x', value: 'A1', blockId: 'b' },
      { type: 'y', value: 'A1', blockId: 'c' },
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual(['c']);
  });

  it('treats regex characters in a value literally', () => {
    const result = locateMentions('price (a+b)? $5', [
      { type: 'x', value: '(a+b)?', blockId: 'b' },
    ]);
    expect(result).toEqual({ ok: true, entities: [{ type: 'x', start: 6, end: 12 }] });
  });
});

describe('readFixSubmission', () => {
  const values = (intent: string | undefined, orderIds: string | null) => ({
    [INTENT_BLOCK]: { intent: { selected_option: intent ? { value: intent } : null } },
    [`${ENTITY_BLOCK_PREFIX}order_id`]: { values: { value: orderIds } },
    [`${ENTITY_BLOCK_PREFIX}email`]: { values: { value: null } },
  });

  it('reads the intent and one entity per line', () => {
    expect(readFixSubmission(values('refund', 'A1243\n\n  A1234 '), meta, intents)).toEqual({
      ok: true,
      intent: 'refund',
      entities: [
        { type: 'order_id', start: 13, end: 18 },
        { type: 'order_id', start: 24, end: 29 },
      ],
    });
  });

  it('says "no entities" with an empty list when the boxes are left empty', () => {
    expect(readFixSubmission(values('refund', null), meta, intents)).toEqual({
      ok: true,
      intent: 'refund',
      entities: [],
    });
  });

  it('says nothing about entities when the text was too long to carry', () => {
    const short: FixMeta = { ...meta, ref: { m: 'msg-1' } };
    expect(readFixSubmission(values('refund', 'A1'), short, intents)).toEqual({
      ok: true,
      intent: 'refund',
    });
  });

  it('refuses an intent that is not in the list', () => {
    expect(readFixSubmission(values('weather', null), meta, intents)).toEqual({
      ok: false,
      errors: { [INTENT_BLOCK]: 'Pick one of the intents in the list.' },
    });
  });
});

describe('fixView', () => {
  it('preselects the predicted intent and fills in predicted entities', () => {
    const view = fixView(
      { ...meta, ref: { m: 'msg-1', t: text, i: 'order_status', e: [['order_id', 24, 29]] } },
      intents,
      ['order_id', 'email'],
    );
    const blocks = view.blocks as Record<string, any>[];
    const intent = blocks.find((b) => b.block_id === INTENT_BLOCK);
    expect(intent?.element.initial_option.value).toBe('order_status');
    const order = blocks.find((b) => b.block_id === `${ENTITY_BLOCK_PREFIX}order_id`);
    expect(order?.element.initial_value).toBe('A1234');
    expect(blocks.filter((b) => b.type === 'input')).toHaveLength(3);
  });

  it('groups more than 100 intents into option groups of at most 100', () => {
    const many = Array.from({ length: 230 }, (_, i) => `intent_${i}`);
    const view = fixView(meta, many, []);
    const select = (view.blocks as Record<string, any>[]).find(
      (b) => b.block_id === INTENT_BLOCK,
    )?.element;
    expect(select.options).toBeUndefined();
    expect(select.option_groups.map((g: any) => g.options.length)).toEqual([100, 100, 30]);
  });

  it('keeps private_metadata within 3000 characters by dropping the reply sections', () => {
    const view = fixView({ ...meta, r: ['x'.repeat(2900)] }, intents, []);
    expect(view.private_metadata?.length).toBeLessThanOrEqual(3000);
    expect(JSON.parse(view.private_metadata ?? '{}').r).toBeUndefined();
  });
});

describe('feedback button values', () => {
  it('round-trip through a button value', () => {
    const ref = {
      m: 'msg-9',
      t: 'where is A1',
      i: 'order_status',
      e: [['order_id', 9, 11]] as [string, number, number][],
    };
    expect(decodeRef(encodeRef(ref))).toEqual(ref);
  });

  it('drop entities, then the text, to stay within 2000 characters', () => {
    const long = { m: 'msg-9', t: 'x'.repeat(1990), i: 'refund' };
    expect(decodeRef(encodeRef(long))).toEqual({ m: 'msg-9', i: 'refund' });
    expect(encodeRef(long).length).toBeLessThanOrEqual(2000);
  });

  it('split a long reply into sections of at most 3000 characters and escape markup', () => {
    expect(replySections('a < b & c')).toEqual(['a &lt; b &amp; c']);
    expect(replySections('y'.repeat(6500)).map((s) => s.length)).toEqual([3000, 3000, 500]);
    const blocks = replyBlocks(['hi'], { m: 'msg-1' });
    expect(blocks.map((b) => b.type)).toEqual(['section', 'actions']);
  });
});
