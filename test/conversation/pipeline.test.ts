import { afterEach, describe, expect, it } from 'vitest';
import type { HandleResult } from '../../src/conversation/types.js';
import type { NluEngine } from '../../src/nlu/types.js';
import { createFakeNlu, incoming } from './doubles.js';
import { createHarness } from './harness.js';

const harnesses: ReturnType<typeof createHarness>[] = [];
function harness(options: Parameters<typeof createHarness>[0] = {}) {
  const h = createHarness(options);
  harnesses.push(h);
  return h;
}
afterEach(() => harnesses.splice(0).forEach((h) => h.close()));

function replied(result: HandleResult) {
  if (result.status !== 'replied') throw new Error(`expected a reply, got ${result.status}`);
  return result;
}

/** An engine that waits `ms` before answering: a slow model (C13 uses 5 s; shortened here). */
function slowEngine(inner: NluEngine, ms: number): NluEngine {
  return {
    ...inner,
    predict: async (text) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return inner.predict(text);
    },
  };
}

describe('conversation pipeline: dedupe (C13)', () => {
  it('answers a redelivered message once, even under a new event id', async () => {
    const h = harness();
    const message = incoming('where is order A1234', { platformMessageId: '1700000000.000100' });

    const first = await h.conversation.handle(message);
    // Retry with the same body, then a re-send under a new event id: same team, channel and ts.
    const retry = await h.conversation.handle({ ...message });
    const resent = await h.conversation.handle({ ...message, receivedAt: new Date() });

    expect(replied(first).reply.text).toBe('Order A1234 is on its way.');
    expect(retry).toEqual({ status: 'duplicate', messageId: replied(first).messageId });
    expect(resent.status).toBe('duplicate');
    await h.gateway.queue.flush(1_000);
    expect([...h.memory.messages.values()].filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(h.memory.predictions.size).toBe(1);
    expect(h.fakeNlu.calls).toEqual(['where is order A1234']);
  });

  it('answers once when deliveries race while the model is slow', async () => {
    const h = harness();
    h.swapEngine(slowEngine(h.fakeNlu, 30));
    const message = incoming('where is order A1234');

    const results = await Promise.all([1, 2, 3].map(() => h.conversation.handle({ ...message })));

    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'duplicate', 'replied']);
    expect(h.fakeNlu.calls).toHaveLength(1);
  });

  it('dedupes across processes through the store claim', async () => {
    const h = harness();
    const message = incoming('where is order A1234');
    const first = replied(await h.conversation.handle(message));
    await h.gateway.queue.flush(1_000);

    // A second instance on the same store: its memory is empty, the store says "claimed".
    const other = harness({ store: h.memory });
    expect(await other.conversation.handle({ ...message })).toEqual({
      status: 'duplicate',
      messageId: first.messageId,
    });
  });

  it('treats the same ts in another channel as another message', async () => {
    const h = harness();
    const message = incoming('hi', { platformMessageId: '1700000000.000900' });
    await h.conversation.handle(message);
    const elsewhere = await h.conversation.handle({ ...message, channelId: 'C_OTHER' });
    expect(elsewhere.status).toBe('replied');
  });
});

describe('conversation pipeline: empty and mention-only messages (C06)', () => {
  it.each([
    ['empty', ''],
    ['spaces', '   '],
    ['newline and tab', '\n\t'],
    ['zero-width space', '\u200b'],
  ])('ignores %s text: no reply, no model call, nothing stored', async (_label, text) => {
    const h = harness();
    const result = await h.conversation.handle(incoming(text, { mentionsBot: false }));

    expect(result).toEqual({ status: 'ignored', reason: 'blank message' });
    expect(h.fakeNlu.calls).toEqual([]);
    await h.gateway.queue.flush(1_000);
    expect(h.memory.messages.size).toBe(0);
  });

  it('ignores an image with no text', async () => {
    const h = harness();
    const result = await h.conversation.handle(
      incoming('', { platform: 'discord', mentionsBot: false, attachmentCount: 1 }),
    );
    expect(result.status).toBe('ignored');
    expect(h.fakeNlu.calls).toEqual([]);
  });

  it('answers a mention with no text with one short prompt, without the model', async () => {
    const h = harness();
    // The adapter has already removed "<@BOT_USER_ID>" from the text.
    const message = incoming('', { mentionsBot: true });

    const result = replied(await h.conversation.handle(message));
    const again = await h.conversation.handle({ ...message });

    expect(result.reply).toMatchObject({ text: 'How can I help?', kind: 'prompt' });
    expect(result.prediction).toBeUndefined();
    expect(again.status).toBe('duplicate');
    expect(h.fakeNlu.calls).toEqual([]);
    await h.gateway.queue.flush(1_000);
    const rows = [...h.memory.messages.values()];
    expect(rows.map((row) => [row.direction, row.text])).toEqual([
      ['in', ''],
      ['out', 'How can I help?'],
    ]);
    expect(h.memory.predictions.size).toBe(0);
  });
});

describe('conversation pipeline: thread scoping (C18)', () => {
  it('keeps slots within a thread and starts afresh for a new top-level message', async () => {
    const h = harness();
    const top = incoming('where is order A1234', { platformMessageId: '1700000200.000300' });
    const followUp = incoming('and B5678?', {
      platformMessageId: '1700000260.000400',
      threadId: '1700000200.000300',
    });
    const unrelated = incoming('where is my parcel', { platformMessageId: '1700000300.000500' });

    const first = replied(await h.conversation.handle(top));
    const second = replied(await h.conversation.handle(followUp));
    const third = replied(await h.conversation.handle(unrelated));

    expect(first.reply.threadId).toBe('1700000200.000300');
    expect(second.reply).toEqual({
      text: 'Order B5678 is on its way.',
      kind: 'answer',
      threadId: '1700000200.000300',
    });
    expect(second.conversationId).toBe(first.conversationId);
    // The unrelated message does not inherit order_id=B5678: it is asked for.
    expect(third.conversationId).not.toBe(first.conversationId);
    expect(third.reply).toMatchObject({ text: 'What is your order number?', kind: 'ask' });
    expect(third.reply.threadId).toBe('1700000300.000500');
  });

  it('keeps one conversation per direct-message channel', async () => {
    const h = harness();
    const dm = { isDirect: true, channelId: 'D_A' };
    const first = replied(await h.conversation.handle(incoming('refund please', dm)));
    const second = replied(await h.conversation.handle(incoming('it is A1234', dm)));

    expect(first.reply.kind).toBe('ask');
    expect(first.reply.threadId).toBeUndefined();
    expect(second.conversationId).toBe(first.conversationId);
    expect(second.reply.text).toBe('I have started a refund for order A1234. We will write to.');
  });
});

describe('conversation pipeline: dialogue', () => {
  const thread = { threadId: '1700000400.000100' };

  it('asks for a required entity and remembers it for the rest of the thread', async () => {
    const h = harness();
    const ask = replied(await h.conversation.handle(incoming('I want a refund', thread)));
    const filled = replied(await h.conversation.handle(incoming('A1234', thread)));
    const later = replied(await h.conversation.handle(incoming('where is my order', thread)));

    expect(ask.reply).toMatchObject({ text: 'Which order should I refund?', kind: 'ask' });
    expect(filled.reply.text).toBe('I have started a refund for order A1234. We will write to.');
    expect(later.reply.text).toBe('Order A1234 is on its way.');
  });

  it('falls back for out-of-scope text and for an intent under the threshold', async () => {
    const h = harness({ handoffAfterFallbacks: 5 });
    const oos = replied(await h.conversation.handle(incoming('asdf qwer zxcv', thread)));
    const unsure = replied(await h.conversation.handle(incoming('maybe something', thread)));

    expect(oos.reply).toMatchObject({ text: 'Sorry, I did not get that.', kind: 'fallback' });
    expect(unsure.reply.kind).toBe('fallback');
  });

  it('hands off after repeated fallbacks and notifies the escalation target', async () => {
    const h = harness({ handoffAfterFallbacks: 2 });
    await h.conversation.handle(incoming('asdf', thread));
    const second = replied(await h.conversation.handle(incoming('qwer', thread)));
    await h.conversation.drain(1_000);

    expect(second.reply).toMatchObject({
      text: 'A person will take it from here.',
      kind: 'handoff',
    });
    expect(h.notices).toEqual([
      expect.objectContaining({
        reason: 'fallbacks',
        target: 'slack:C_ESCALATE',
        channelId: 'C_SUPPORT',
        threadId: thread.threadId,
        messageId: second.messageId,
        conversationId: second.conversationId,
      }),
    ]);
  });

  it('hands off at once when asked for a person', async () => {
    const h = harness();
    const result = replied(await h.conversation.handle(incoming('let me talk to a human', thread)));
    await h.conversation.drain(1_000);

    expect(result.reply.kind).toBe('handoff');
    expect(h.notices.map((n) => n.reason)).toEqual(['request']);
  });

  it('logs the hand-off when no escalation notifier is configured', async () => {
    const h = harness({ withNotifier: false });
    await h.conversation.handle(incoming('I need an agent', thread));
    const line = h.logs.find((l) => String(l.msg).includes('no escalation notifier'));
    expect(line).toMatchObject({ reason: 'request', target: 'slack:C_ESCALATE', level: 40 });
  });

  it('answers with the fallback when the model fails', async () => {
    const h = harness();
    h.swapEngine({ ...h.fakeNlu, predict: async () => Promise.reject(new Error('session gone')) });
    const result = replied(await h.conversation.handle(incoming('where is A1234')));
    expect(result.reply.kind).toBe('fallback');
  });
});

describe('conversation pipeline: storage', () => {
  it('stores every turn: redacted message, prediction with model version, reply', async () => {
    const h = harness();
    const text = 'refund A1234 and mail jane.doe@shop.com';
    const result = replied(await h.conversation.handle(incoming(text)));
    await h.gateway.queue.flush(1_000);

    // The model saw the original; the store holds a same-length stand-in.
    expect(h.fakeNlu.calls).toEqual([text]);
    const stored = h.memory.messages.get(result.messageId)!;
    expect(stored.text).toBe('refund A1234 and mail user.use@exam.inv');
    const [prediction] = [...h.memory.predictions.values()];
    expect(prediction).toMatchObject({
      messageId: result.messageId,
      intent: 'refund_request',
      modelVersion: 'test-v1',
    });
    expect(prediction.entities.map((e) => [e.type, e.value, e.start, e.end])).toEqual([
      ['order_id', 'A1234', 7, 12],
      ['email', 'user.use@exam.inv', 22, 39],
    ]);
    const reply = [...h.memory.messages.values()].find((m) => m.direction === 'out')!;
    expect(reply).toMatchObject({ kind: 'answer', conversationId: result.conversationId });
    expect(reply.text).toBe(
      'I have started a refund for order A1234. We will write to user.use@exam.inv.',
    );
    // The reply the customer got still holds the real address.
    expect(result.reply.text).toContain('jane.doe@shop.com');
    const conversation = [...h.memory.conversations.values()][0];
    expect(conversation.state.slots.email).toBe('user.use@exam.inv');
  });

  it('records the version of the engine that answered, across a hot swap', async () => {
    const h = harness();
    const before = replied(await h.conversation.handle(incoming('hi')));
    h.swapEngine(createFakeNlu('test-v2'));
    const after = replied(await h.conversation.handle(incoming('hi')));
    await h.gateway.queue.flush(1_000);

    const versions = [...h.memory.predictions.values()].map((p) => [p.messageId, p.modelVersion]);
    expect(versions).toEqual([
      [before.messageId, 'test-v1'],
      [after.messageId, 'test-v2'],
    ]);
  });

  it('blanks the stored text of a deleted message', async () => {
    const h = harness();
    const message = incoming('where is order A1234');
    const result = replied(await h.conversation.handle(message));
    await h.conversation.forget(message);
    await h.gateway.queue.flush(1_000);

    expect(h.memory.messages.get(result.messageId)).toMatchObject({ text: '', deleted: true });
  });
});

describe('conversation pipeline: database faults (C24)', () => {
  it('keeps answering while the store is down and stores the backlog when it returns', async () => {
    const h = harness();
    h.memory.down = true;

    const results = [];
    for (const text of ['hi', 'where is order A1234', 'refund B5678']) {
      results.push(replied(await h.conversation.handle(incoming(text))));
    }
    expect(results.map((r) => r.reply.kind)).toEqual(['answer', 'answer', 'answer']);
    expect(h.gateway.queue.healthy).toBe(false);
    expect(h.memory.messages.size).toBe(0);

    h.memory.down = false;
    expect(await h.gateway.queue.flush(2_000)).toBe(true);
    expect(h.memory.predictions.size).toBe(3);
    expect(h.memory.claims.size).toBe(3);
    expect(h.logs.some((l) => String(l.msg).startsWith('database unreachable'))).toBe(true);
    expect(h.logs.some((l) => String(l.msg).startsWith('database reachable again'))).toBe(true);
  });

  it('still dedupes in memory while the store is down', async () => {
    const h = harness();
    h.memory.down = true;
    const message = incoming('hi');
    await h.conversation.handle(message);
    expect((await h.conversation.handle({ ...message })).status).toBe('duplicate');
  });

  it("keeps a thread's slots across the outage", async () => {
    const h = harness();
    const thread = { threadId: '1700000500.000100' };
    await h.conversation.handle(incoming('where is order A1234', thread));
    h.memory.down = true;
    const during = replied(await h.conversation.handle(incoming('where is it now', thread)));
    expect(during.reply.text).toBe('Order A1234 is on its way.');
  });
});

describe('conversation pipeline: drain', () => {
  it('waits for messages in flight and their writes', async () => {
    const h = harness();
    h.swapEngine(slowEngine(h.fakeNlu, 50));
    const pending = h.conversation.handle(incoming('hi'));
    await new Promise((resolve) => setTimeout(resolve, 5));

    expect(await h.conversation.drain(2_000)).toEqual({ drained: true });
    expect((await pending).status).toBe('replied');
    expect(h.memory.predictions.size).toBe(1);
  });
});
