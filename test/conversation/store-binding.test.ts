import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_STATE } from '../../src/conversation/policy.js';
import { createConversationStore } from '../../src/conversation/store-binding.js';
import type { ConversationStore, TurnRecord } from '../../src/conversation/store-port.js';
import { feedback, messages, predictions } from '../../src/store/schema.js';
import { openTestStore, STORE_KINDS, type TestStore } from './databases.js';

let counter = 0;

/** A turn in a scope of its own, so the tests of one file share one database. */
function turn(overrides: Partial<TurnRecord> = {}): TurnRecord {
  counter += 1;
  return {
    conversation: {
      id: randomUUID(),
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'C1',
      scopeKey: `thread:17000000.${counter}`,
      state: { ...EMPTY_STATE, slots: { order_id: 'A1234' } },
    },
    incoming: {
      id: randomUUID(),
      platformMessageId: `17000000.${counter}`,
      userId: 'U_A',
      text: 'refund A1234 to user@exam.inv',
      receivedAt: new Date('2024-01-01T00:00:00Z'),
    },
    prediction: {
      id: randomUUID(),
      intent: 'refund_request',
      confidence: 0.9,
      entities: [{ type: 'order_id', value: 'A1234', start: 7, end: 12, confidence: 0.8 }],
      ranking: [{ name: 'refund_request', confidence: 0.9 }],
      modelVersion: 'v7',
    },
    outgoing: {
      id: randomUUID(),
      text: 'Refund started for A1234.',
      kind: 'answer',
      at: new Date(),
    },
    ...overrides,
  };
}

describe.each(STORE_KINDS)('conversation store binding on %s', (kind) => {
  let test: TestStore;
  let port: ConversationStore;

  beforeAll(async () => {
    test = await openTestStore(kind, 'binding');
    port = createConversationStore(test.store);
  });
  afterAll(async () => test?.cleanup());

  const rowsOf = {
    message: (id: string) => test.store.db.select().from(messages).where(eq(messages.id, id)),
    predictionOf: (id: string) =>
      test.store.db.select().from(predictions).where(eq(predictions.messageId, id)),
    feedbackOf: (id: string) =>
      test.store.db.select().from(feedback).where(eq(feedback.messageId, id)),
  };

  it('claims a message key once', async () => {
    const key = ['slack', 'T1', 'C1', `claim.${randomUUID()}`].join('\u001f');
    expect(await port.claim(key)).toBe(true);
    expect(await port.claim(key)).toBe(false);
  });

  it('stores a turn and reads the dialogue state back', async () => {
    const record = turn();
    record.conversation.state = {
      slots: { order_id: 'A1234' },
      fallbackCount: 1,
      handedOff: true,
      pending: { intent: 'refund_request', entity: 'email' },
      lastIntent: 'order_status',
    };
    await port.saveTurn(record);

    expect(await port.loadConversation(record.conversation)).toEqual({
      id: record.conversation.id,
      state: record.conversation.state,
    });
    const [prediction] = await rowsOf.predictionOf(record.incoming.id);
    expect(prediction).toMatchObject({ intent: 'refund_request', modelVersion: 'v7' });
    const [reply] = await rowsOf.message(record.outgoing!.id);
    expect(reply).toMatchObject({
      direction: 'out',
      replyKind: 'answer',
      inReplyTo: record.incoming.id,
    });
  });

  it('changes nothing when a turn is written twice (a retried write)', async () => {
    const record = turn();
    await port.saveTurn(record);
    await port.saveTurn(record);

    expect(await rowsOf.message(record.incoming.id)).toHaveLength(1);
    expect(await rowsOf.predictionOf(record.incoming.id)).toHaveLength(1);
  });

  it('attaches a turn to the existing conversation of its scope', async () => {
    const first = turn();
    await port.saveTurn(first);
    // Written by a process that was cut off from the database and minted its own id.
    const second = turn({ conversation: { ...first.conversation, id: randomUUID() } });

    expect(await port.saveTurn(second)).toEqual({ conversationId: first.conversation.id });
    const [row] = await rowsOf.message(second.incoming.id);
    expect(row.conversationId).toBe(first.conversation.id);
  });

  it('finds incoming messages by id and by platform key, never replies', async () => {
    const record = turn();
    await port.saveTurn(record);

    expect(await port.findMessage(record.incoming.id)).toEqual({
      id: record.incoming.id,
      conversationId: record.conversation.id,
      text: record.incoming.text,
      deleted: false,
    });
    expect(await port.findMessage(record.outgoing!.id)).toBeUndefined();
    const key = { ...record.conversation, platformMessageId: record.incoming.platformMessageId };
    expect(await port.findMessageIdByKey(key)).toBe(record.incoming.id);
  });

  it('keeps one feedback row per message and user, under the id it was given', async () => {
    const record = turn();
    await port.saveTurn(record);
    const id = randomUUID();
    const base = { id, messageId: record.incoming.id, userId: 'U_A' };
    await port.upsertFeedback({ ...base, kind: 'up' });
    await port.upsertFeedback({
      ...base,
      kind: 'correction',
      intent: 'order_status',
      entities: [{ type: 'order_id', start: 7, end: 12, value: 'A1234' }],
    });

    const rows = await rowsOf.feedbackOf(record.incoming.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id,
      kind: 'correction',
      correctedIntent: 'order_status',
      correctedEntities: [{ type: 'order_id', start: 7, end: 12, value: 'A1234' }],
      status: 'pending',
    });
  });

  it('blanks a deleted message, its reply and its entity values', async () => {
    const record = turn();
    await port.saveTurn(record);
    await port.forgetMessage({
      ...record.conversation,
      platformMessageId: record.incoming.platformMessageId,
    });

    const [incoming] = await rowsOf.message(record.incoming.id);
    const [reply] = await rowsOf.message(record.outgoing!.id);
    const [prediction] = await rowsOf.predictionOf(record.incoming.id);
    expect(incoming).toMatchObject({ text: '', deleted: true });
    expect(reply).toMatchObject({ text: '', deleted: true });
    expect(prediction.entities.map((e) => e.value)).toEqual(['']);
    expect(prediction.entities[0]).toMatchObject({ start: 7, end: 12 });
  });

  it('counts rows by kind', async () => {
    const before = await port.counts();
    await port.saveTurn(turn());
    const after = await port.counts();
    expect(after).toEqual({
      conversations: before.conversations + 1,
      messagesIn: before.messagesIn + 1,
      messagesOut: before.messagesOut + 1,
      predictions: before.predictions + 1,
      feedback: before.feedback,
    });
  });

  it('answers a ping', async () => {
    await expect(port.ping()).resolves.toBeUndefined();
  });
});
