import { describe, expect, it } from 'vitest';
import {
  customId,
  detailsModal,
  feedbackRow,
  fixPicker,
  parseCustomId,
  splitMessage,
} from '../../../adapters/discord/components.js';
import { createFixSessions, locateValues, typedValues } from '../../../adapters/discord/fix.js';
import { readShardPlan } from '../../../adapters/discord/settings.js';
import { isParleyError } from '../../../src/core/errors.js';

const MESSAGE_ID = '5897868d-8e04-4df6-910d-c2a97b3d3f0a';

describe('discord components', () => {
  it('feedback buttons carry the stored message id within 100 characters', () => {
    const row = feedbackRow(MESSAGE_ID);
    const ids = row?.components.map((c) => ('custom_id' in c ? c.custom_id : ''));
    expect(ids).toEqual([
      `parley:up:${MESSAGE_ID}`,
      `parley:down:${MESSAGE_ID}`,
      `parley:fix:${MESSAGE_ID}`,
    ]);
    expect(parseCustomId(ids?.[2] ?? '')).toEqual({ action: 'fix', arg: MESSAGE_ID });
    expect(feedbackRow('x'.repeat(95))).toBeUndefined();
  });

  it('27 intents make two selects of at most 25; more than five entity types add a type select', () => {
    const intents = Array.from({ length: 27 }, (_, i) => `intent_${i}`);
    const types = ['order_id', 'amount', 'currency', 'url', 'email', 'product'];
    const picker = fixPicker(
      { sessionId: 's1', text: 'refund A1234', intent: 'intent_26', entities: [], types: [] },
      intents,
      types,
    );

    const selects = picker.components.map((row) => row.components[0]);
    expect(selects.map((c) => ('options' in c ? c.options.length : c.type))).toEqual([25, 2, 6, 2]);
    expect(selects[1]).toMatchObject({
      options: [{ value: 'intent_25' }, { value: 'intent_26', default: true }],
    });
    expect(selects[2]).toMatchObject({ custom_id: customId('fix-types', 's1'), max_values: 5 });
    expect(picker.components.length).toBeLessThanOrEqual(5);
  });

  it('without the text the details button is disabled', () => {
    const picker = fixPicker(
      { sessionId: 's1', entities: [], types: ['order_id'] },
      ['greet'],
      ['order_id'],
    );
    const buttons = picker.components.at(-1)?.components ?? [];
    expect(buttons.map((b) => ('disabled' in b ? b.disabled : undefined))).toEqual([true, true]);
    expect(picker.content).toContain('only the intent can be fixed');
  });

  it('the details modal has one pre-filled box per chosen type', () => {
    const modal = detailsModal({
      sessionId: 's1',
      text: 'send A1234 and B5678 to a@b.test',
      entities: [
        { type: 'order_id', start: 5, end: 10 },
        { type: 'order_id', start: 15, end: 20 },
      ],
      types: ['order_id', 'email'],
    });
    expect(modal.custom_id).toBe('parley:fix-modal:s1');
    expect(modal.components).toMatchObject([
      { component: { custom_id: 'entity:order_id', value: 'A1234\nB5678' } },
      { component: { custom_id: 'entity:email' } },
    ]);
  });

  it('splits long text under 2000 characters at a line break, never inside an emoji', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const parts = splitMessage(lines);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    expect(parts.join('\n')).toBe(lines);

    const emoji = `${'a'.repeat(1999)}📦tail`;
    const [first, second] = splitMessage(emoji);
    expect(first).toBe('a'.repeat(1999));
    expect(second).toBe('📦tail');
  });
});

describe('discord fix helpers', () => {
  it('finds typed values: exact first, then ignoring case, never overlapping', () => {
    const text = 'swap A1234 for a1234, mail me at Bob@Example.test';
    const located = locateValues(text, [
      ...typedValues('order_id', 'a1234\nA1234'),
      ...typedValues('email', ' bob@example.test '),
    ]);
    expect(located).toEqual({
      ok: true,
      entities: [
        { type: 'order_id', start: 5, end: 10 },
        { type: 'order_id', start: 15, end: 20 },
        { type: 'email', start: 33, end: 49 },
      ],
    });
    if (located.ok) expect(text.slice(33, 49)).toBe('Bob@Example.test');
  });

  it('matches a value typed in capitals against lower-case text', () => {
    expect(locateValues('refund order a1234', typedValues('order_id', 'A1234'))).toEqual({
      ok: true,
      entities: [{ type: 'order_id', start: 13, end: 18 }],
    });
  });

  it('explains a value that is missing or listed too often', () => {
    expect(locateValues('refund A1234', typedValues('order_id', 'Z9\nA1234\nA1234'))).toEqual({
      ok: false,
      problems: [
        'order_id "Z9" is not in the message; copy it exactly as it appears.',
        'order_id "A1234" overlaps another detail, or is listed more often than it appears.',
      ],
    });
  });

  it('a fix session belongs to one person and expires after its TTL', () => {
    let now = 0;
    const sessions = createFixSessions({ ttlMs: 1_000, now: () => now });
    const session = sessions.open({ messageId: 'm', userId: 'U_A', entities: [], types: [] });
    expect(sessions.get(session.id, 'U_B')).toBeUndefined();
    expect(sessions.get(session.id, 'U_A')).toBe(session);
    now = 1_001;
    expect(sessions.get(session.id, 'U_A')).toBeUndefined();
  });
});

describe('discord shard settings', () => {
  it.each([
    ['auto', undefined, { kind: 'auto' }],
    ['auto', 3, { kind: 'list', ids: [0, 1, 2], count: 3 }],
    ['2, 0', 4, { kind: 'list', ids: [0, 2], count: 4 }],
  ] as const)('DISCORD_SHARDS=%s with count %s', (shards, count, expected) => {
    expect(readShardPlan(shards, count)).toEqual(expected);
  });

  it.each([
    ['0,1', undefined, 'DISCORD_SHARD_COUNT'],
    ['0,4', 4, 'allows 0..3'],
    ['one', 2, 'shard ids'],
  ] as const)('refuses DISCORD_SHARDS=%s with count %s', (shards, count, words) => {
    let error: unknown;
    try {
      readShardPlan(shards, count);
    } catch (err) {
      error = err;
    }
    expect(isParleyError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain(words);
  });
});
