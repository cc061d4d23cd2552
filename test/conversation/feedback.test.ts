import { afterEach, describe, expect, it } from 'vitest';
import { feedbackId } from '../../src/conversation/feedback.js';
import type { FeedbackInput, HandleResult } from '../../src/conversation/types.js';
import { isParleyError, type ErrorCode } from '../../src/core/errors.js';
import { incoming } from './doubles.js';
import { createHarness } from './harness.js';

const harnesses: ReturnType<typeof createHarness>[] = [];
afterEach(() => harnesses.splice(0).forEach((h) => h.close()));

/** A harness with one answered message: `refund A1234, mail jane@shop.com`. */
async function answered() {
  const h = createHarness();
  harnesses.push(h);
  const result: HandleResult = await h.conversation.handle(
    incoming('refund A1234, mail jane@shop.com'),
  );
  if (result.status !== 'replied') throw new Error('expected a reply');
  await h.gateway.queue.flush(1_000);
  return { h, messageId: result.messageId };
}

async function codeOf(work: Promise<unknown>): Promise<ErrorCode | 'no error'> {
  try {
    await work;
    return 'no error';
  } catch (err) {
    if (isParleyError(err)) return err.code;
    throw err;
  }
}

describe('feedback service', () => {
  it('stores a thumbs up with who gave it', async () => {
    const { h, messageId } = await answered();
    const result = await h.feedback.record({ messageId, userId: 'U_A', kind: 'up' });

    expect(result).toEqual({ feedbackId: feedbackId(messageId, 'U_A'), saved: true });
    expect([...h.memory.feedback.values()]).toEqual([
      { id: result.feedbackId, messageId, userId: 'U_A', kind: 'up' },
    ]);
  });

  it('keeps one row per user and message: a second click replaces the first', async () => {
    const { h, messageId } = await answered();
    const up = await h.feedback.record({ messageId, userId: 'U_A', kind: 'up' });
    const down = await h.feedback.record({ messageId, userId: 'U_A', kind: 'down' });
    const other = await h.feedback.record({ messageId, userId: 'U_B', kind: 'up' });

    expect(down.feedbackId).toBe(up.feedbackId);
    expect(other.feedbackId).not.toBe(up.feedbackId);
    expect([...h.memory.feedback.values()].map((f) => [f.userId, f.kind])).toEqual([
      ['U_A', 'down'],
      ['U_B', 'up'],
    ]);
  });

  it('stores a correction with values read from the stored (redacted) text', async () => {
    const { h, messageId } = await answered();
    await h.feedback.record({
      messageId,
      userId: 'U_AGENT',
      kind: 'correction',
      intent: 'refund_request',
      entities: [
        { type: 'order_id', start: 7, end: 12 },
        { type: 'email', start: 19, end: 32 },
      ],
    });

    const [row] = h.memory.feedback.values();
    expect(row).toMatchObject({ kind: 'correction', intent: 'refund_request', userId: 'U_AGENT' });
    expect(row.entities).toEqual([
      { type: 'order_id', start: 7, end: 12, value: 'A1234' },
      { type: 'email', start: 19, end: 32, value: 'user@exam.inv' },
    ]);
  });

  const correction = (over: Partial<FeedbackInput>): Omit<FeedbackInput, 'messageId'> => ({
    userId: 'U_A',
    kind: 'correction',
    intent: 'refund_request',
    entities: [],
    ...over,
  });

  it.each([
    ['unknown intent', correction({ intent: 'make_coffee' })],
    ['no intent', correction({ intent: undefined })],
    ['unknown entity type', correction({ entities: [{ type: 'colour', start: 0, end: 6 }] })],
    ['end past the text', correction({ entities: [{ type: 'order_id', start: 7, end: 99 }] })],
    ['empty span', correction({ entities: [{ type: 'order_id', start: 7, end: 7 }] })],
    ['negative start', correction({ entities: [{ type: 'order_id', start: -1, end: 3 }] })],
    ['fractional offset', correction({ entities: [{ type: 'order_id', start: 7.5, end: 12 }] })],
    [
      'overlapping spans',
      correction({
        entities: [
          { type: 'order_id', start: 7, end: 12 },
          { type: 'email', start: 10, end: 20 },
        ],
      }),
    ],
    ['thumbs with an intent', { userId: 'U_A', kind: 'up', intent: 'greet' }],
    ['unknown kind', { userId: 'U_A', kind: 'meh' as 'up' }],
    ['empty user', { userId: '', kind: 'up' }],
  ] as const)('rejects %s as a bad request', async (_label, input) => {
    const { h, messageId } = await answered();
    expect(await codeOf(h.feedback.record({ messageId, ...input }))).toBe('BAD_REQUEST');
    expect(h.memory.feedback.size).toBe(0);
  });

  it('rejects a span that cuts an emoji in half', async () => {
    const h = createHarness();
    harnesses.push(h);
    const result = await h.conversation.handle(incoming('😀 where is A1234'));
    if (result.status !== 'replied') throw new Error('expected a reply');
    const input = correction({ entities: [{ type: 'order_id', start: 1, end: 5 }] });
    expect(await codeOf(h.feedback.record({ messageId: result.messageId, ...input }))).toBe(
      'BAD_REQUEST',
    );
  });

  it.each([
    ['an id no message has', '00000000-0000-4000-8000-000000000000'],
    ['something that is not an id', 'not-an-id'],
  ])('answers NOT_FOUND for %s', async (_label, messageId) => {
    const { h } = await answered();
    expect(await codeOf(h.feedback.record({ messageId, userId: 'U_A', kind: 'up' }))).toBe(
      'NOT_FOUND',
    );
  });

  it('takes no feedback on a deleted message', async () => {
    const h = createHarness();
    harnesses.push(h);
    const message = incoming('hi');
    const result = await h.conversation.handle(message);
    await h.conversation.forget(message);
    if (result.status !== 'replied') throw new Error('expected a reply');
    const input = { messageId: result.messageId, userId: 'U_A', kind: 'up' as const };
    expect(await codeOf(h.feedback.record(input))).toBe('CONFLICT');
  });

  it('accepts feedback on a message whose row is still being written', async () => {
    const h = createHarness();
    harnesses.push(h);
    const result = await h.conversation.handle(incoming('hi'));
    if (result.status !== 'replied') throw new Error('expected a reply');
    const saved = await h.feedback.record({
      messageId: result.messageId,
      userId: 'U_A',
      kind: 'up',
    });
    expect(saved.saved).toBe(true);
    expect(h.memory.feedback.size).toBe(1);
  });

  it('queues feedback while the database is down and stores it when it returns (C24)', async () => {
    const { h, messageId } = await answered();
    h.memory.down = true;

    const result = await h.feedback.record({ messageId, userId: 'U_A', kind: 'down' });
    expect(result.saved).toBe(false);
    expect(h.memory.feedback.size).toBe(0);

    h.memory.down = false;
    await h.gateway.queue.flush(2_000);
    expect([...h.memory.feedback.values()].map((f) => f.kind)).toEqual(['down']);
  });

  it('says the store is unavailable when the message cannot be checked', async () => {
    const { h, messageId } = await answered();
    // Another process, which never saw the message, while the database is down.
    const other = createHarness({ store: h.memory });
    harnesses.push(other);
    h.memory.down = true;
    const input = { messageId, userId: 'U_A', kind: 'up' as const };
    expect(await codeOf(other.feedback.record(input))).toBe('STORE_UNAVAILABLE');
  });

  it('lists the intents and entity types a correction may name', async () => {
    const { h } = await answered();
    expect(h.feedback.intents()).toContain('out_of_scope');
    expect(h.feedback.entityTypes()).toEqual(['order_id', 'email']);
  });
});
