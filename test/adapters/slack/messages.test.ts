import { afterEach, describe, expect, it } from 'vitest';
import { BOT_ID, BOT_USER_ID, TEAM_ID } from './fake-slack.js';
import {
  capturingLogger,
  conversationState,
  incomingRows,
  repliedResults,
  startHarness,
  SUPPORT,
  type Harness,
} from './harness.js';
import { gate } from './doubles.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function channelMessage(fields: Record<string, unknown>) {
  return {
    type: 'message',
    channel: SUPPORT,
    channel_type: 'channel',
    user: 'U_A',
    team: TEAM_ID,
    ...fields,
  };
}

function posts() {
  return h.fake.callsTo('chat.postMessage').map((call) => call.args);
}

describe('C13: a message delivered more than once', () => {
  it('answers three deliveries of one message with HTTP 200 in under 3 s and one reply', async () => {
    const { logger, lines } = capturingLogger();
    h = await startHarness({ logger });
    const slowNlu = gate();
    h.nlu.beforePredict = () => slowNlu.wait();
    const event = channelMessage({
      text: 'where is order A1234',
      ts: '1700000000.000100',
      event_ts: '1700000000.000100',
    });

    // 1: the first delivery, answered while the NLU is still busy with it
    const first = await h.fake.deliverEvent(event, { eventId: 'Ev001' });
    // 2: Slack's retry of the same body
    const retry = await h.fake.deliverEvent(event, {
      eventId: 'Ev001',
      retryNum: 1,
      retryReason: 'http_timeout',
    });
    slowNlu.open();
    await h.settle();
    // 3: the same message again under a new event id, no retry headers
    const resent = await h.fake.deliverEvent(event, { eventId: 'Ev777' });
    await h.settle();

    for (const delivery of [first, retry, resent]) {
      expect(delivery.status).toBe(200);
      expect(delivery.ms).toBeLessThan(3000);
    }
    expect(posts()).toHaveLength(1);
    expect(posts()[0]).toMatchObject({ channel: SUPPORT, thread_ts: '1700000000.000100' });
    // one message row and one prediction row: dedupe is on team + channel + ts
    expect(incomingRows(h)).toHaveLength(1);
    expect(h.store.predictions.size).toBe(1);
    expect(h.nlu.calls).toEqual(['where is order A1234']);
    expect(h.conversation.handled).toHaveLength(3);
    expect(h.conversation.results.map((r) => r.status).sort()).toEqual([
      'duplicate',
      'duplicate',
      'replied',
    ]);
    const duplicates = lines.filter(
      (line) => line.msg === 'slack duplicate delivery: not answered again',
    );
    expect(duplicates.map((line) => [line.level, line.eventId])).toEqual([
      [30, 'Ev001'],
      [30, 'Ev777'],
    ]);
  });

  it('does not post a second copy when chat.postMessage times out but Slack posted it', async () => {
    // production retries (web-api's default) on every other call; a 400 ms client timeout
    h = await startHarness({ options: { retryConfig: undefined, requestTimeoutMs: 400 } });
    h.fake.script('chat.postMessage', { kind: 'delay', ms: 900 });

    h.fake.userSays({ channel: SUPPORT, user: 'U_A', text: 'where is order A1234' });
    await h.settle();
    await new Promise((resolve) => setTimeout(resolve, 600));
    await h.settle();

    expect(h.fake.calls.filter((call) => call.method === 'chat.postMessage')).toHaveLength(1);
    expect(h.fake.messages.filter((m) => m.bot_id === BOT_ID)).toHaveLength(1);
  });

  it('waits out a 429 with Retry-After and then posts once', async () => {
    h = await startHarness();
    h.fake.script('chat.postMessage', { kind: 'rate-limit', retryAfterS: 1 });

    h.fake.userSays({ channel: SUPPORT, user: 'U_A', text: 'where is order A1234' });
    await h.settle();

    const attempts = h.fake.calls.filter((call) => call.method === 'chat.postMessage');
    expect(attempts.map((call) => call.status)).toEqual([429, 200]);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(990);
    expect(h.fake.messages.filter((m) => m.bot_id === BOT_ID)).toHaveLength(1);
  });
});

describe('C18: replies go in the thread of the message', () => {
  it('answers top-level and thread messages in the parent thread, one conversation per thread', async () => {
    h = await startHarness();

    await h.fake.deliverEvent(
      channelMessage({ text: 'where is order A1234', ts: '1700000200.000300' }),
    );
    await h.settle();
    await h.fake.deliverEvent(
      channelMessage({
        text: 'and B5678?',
        ts: '1700000260.000400',
        thread_ts: '1700000200.000300',
      }),
    );
    await h.settle();
    await h.fake.deliverEvent(
      channelMessage({ text: 'where is my order', ts: '1700000300.000500' }),
    );
    await h.settle();

    expect(posts().map((args) => [args.thread_ts, args.text])).toEqual([
      ['1700000200.000300', 'Order A1234 is on its way.'],
      ['1700000200.000300', 'Order B5678 is on its way.'],
      ['1700000300.000500', 'What is your order number?'],
    ]);
    const [top, followUp, unrelated] = repliedResults(h);
    expect(followUp.conversationId).toBe(top.conversationId);
    expect(unrelated.conversationId).not.toBe(top.conversationId);
    expect(conversationState(h, top.conversationId)).toMatchObject({
      lastIntent: 'order_status',
      slots: { order_id: 'B5678' },
    });
    expect(conversationState(h, unrelated.conversationId)).toMatchObject({
      slots: {},
      pending: { intent: 'order_status', entity: 'order_id' },
    });
  });

  it('answers a top-level DM in the DM itself, and a DM thread in its thread', async () => {
    h = await startHarness();

    h.fake.userSays({ channel: 'D_A', user: 'U_A', text: 'hi' });
    await h.settle();
    h.fake.userSays({
      channel: 'D_A',
      user: 'U_A',
      text: 'where is order A1',
      thread_ts: '1699999999.000001',
    });
    await h.settle();

    expect(posts().map((args) => [args.channel, args.thread_ts])).toEqual([
      ['D_A', undefined],
      ['D_A', '1699999999.000001'],
    ]);
    expect(h.conversation.handled[0]).toMatchObject({ isDirect: true, threadId: undefined });
  });
});

describe('where Parley answers', () => {
  it('answers a mention in a channel that is not configured, and nothing else there', async () => {
    h = await startHarness();
    const ts = '1700000400.000100';
    const text = `<@${BOT_USER_ID}> where is order A1234`;

    // Slack sends both events for one mention in a channel Parley is in
    await h.fake.deliverEvent(channelMessage({ channel: 'C_RANDOM', text, ts }));
    await h.fake.deliverEvent({
      type: 'app_mention',
      channel: 'C_RANDOM',
      user: 'U_A',
      text,
      ts,
      event_ts: ts,
    });
    h.fake.userSays({ channel: 'C_RANDOM', user: 'U_A', text: 'where is order A9999' });
    await h.settle();

    expect(posts().map((args) => [args.channel, args.thread_ts, args.text])).toEqual([
      ['C_RANDOM', ts, 'Order A1234 is on its way.'],
    ]);
    expect(h.conversation.handled).toHaveLength(1);
    expect(h.conversation.handled[0]).toMatchObject({
      text: 'where is order A1234',
      mentionsBot: true,
    });
  });

  it('carries the feedback buttons with the message id on every answer', async () => {
    h = await startHarness();
    h.fake.userSays({ channel: SUPPORT, user: 'U_A', text: 'where is order A1234' });
    await h.settle();

    const actions = (posts()[0].blocks as Record<string, any>[]).find((b) => b.type === 'actions');
    expect(actions?.elements.map((e: any) => e.action_id)).toEqual([
      'parley_feedback_up',
      'parley_feedback_down',
      'parley_feedback_fix',
    ]);
    const messageId = repliedResults(h)[0].messageId;
    expect(JSON.parse(actions?.elements[0].value)).toEqual({ m: messageId });
    expect(JSON.parse(actions?.elements[2].value)).toEqual({
      m: messageId,
      t: 'where is order A1234',
      i: 'order_status',
      e: [['order_id', 15, 20]],
    });
  });
});

describe('C06: empty, whitespace-only and mention-only messages', () => {
  it('sends one short prompt for a bare mention and nothing for the empty ones', async () => {
    h = await startHarness();
    const empties = ['', '   ', '\n\t', '\u200b'];
    for (const [index, text] of empties.entries()) {
      await h.fake.deliverEvent(channelMessage({ text, ts: `1700000500.00010${index}` }));
    }
    await h.fake.deliverEvent(
      channelMessage({
        subtype: 'file_share',
        text: '',
        ts: '1700000500.000200',
        files: [{ id: 'F1' }],
      }),
    );
    const ts = '1700000500.000300';
    await h.fake.deliverEvent(channelMessage({ text: `<@${BOT_USER_ID}>`, ts }));
    await h.fake.deliverEvent({
      type: 'app_mention',
      channel: SUPPORT,
      user: 'U_A',
      text: `<@${BOT_USER_ID}>`,
      ts,
    });
    await h.settle();

    expect(posts()).toHaveLength(1);
    expect(posts()[0]).toMatchObject({ channel: SUPPORT, thread_ts: ts, text: 'How can I help?' });
    expect(posts()[0].blocks).toBeUndefined();
    // only the mention is a turn: blank messages are not stored
    expect(incomingRows(h)).toHaveLength(1);
    expect(h.conversation.handled.map((m) => [m.text, m.mentionsBot, m.attachmentCount])).toEqual([
      ['', false, 0],
      ['', false, 0],
      ['', false, 0],
      ['\u200b', false, 0],
      ['', false, 1],
      ['', true, 0],
    ]);
  });
});

describe('C15: edits, unfurls and deletions', () => {
  it('answers the message once, ignores the unfurl and the edit, and forgets on deletion', async () => {
    h = await startHarness();

    // 1: the user asks; Parley answers with a help link
    const asked = h.fake.userSays({ channel: SUPPORT, user: 'U_A', text: 'refund order A1234' });
    await h.settle();
    const reply = h.fake.messages.find((m) => m.bot_id === BOT_ID);
    expect(reply?.text).toBe('Refunds for order A1234: see https://help.example.test/refunds');

    // 2: Slack unfurls the link in Parley's reply
    const unfurled = {
      ...reply,
      attachments: [{ from_url: 'https://help.example.test/refunds', title: 'Refunds' }],
    };
    await h.fake.deliverEvent(
      channelMessage({
        subtype: 'message_changed',
        user: undefined,
        hidden: true,
        message: unfurled,
        previous_message: reply,
        ts: '1700002000.000001',
      }),
    );

    // 3: the user edits the order number
    await h.fake.deliverEvent(
      channelMessage({
        subtype: 'message_changed',
        user: undefined,
        hidden: true,
        message: {
          ...asked,
          text: 'refund order A1243',
          edited: { user: 'U_A', ts: '1700002001.000000' },
        },
        previous_message: asked,
        ts: '1700002001.000002',
      }),
    );

    // 4: the user deletes the message
    await h.fake.deliverEvent(
      channelMessage({
        subtype: 'message_deleted',
        user: undefined,
        hidden: true,
        deleted_ts: asked.ts,
        previous_message: { ...asked, text: 'refund order A1243' },
        ts: '1700002002.000003',
      }),
    );
    await h.settle();

    expect(posts()).toHaveLength(1);
    expect(h.conversation.handled.map((m) => m.text)).toEqual(['refund order A1234']);
    expect(h.conversation.forgotten).toEqual([
      { platform: 'slack', workspaceId: TEAM_ID, channelId: SUPPORT, platformMessageId: asked.ts },
    ]);
    expect(incomingRows(h)).toMatchObject([{ text: '', deleted: true }]);
  });
});

describe('C16: bots, Parley itself and bot subtypes', () => {
  it('gives exactly one reply when an echo bot repeats everything in the channel', async () => {
    h = await startHarness();
    h.fake.onMessage((message) => {
      if (message.channel !== SUPPORT || message.bot_id === 'B_ECHO') return;
      h.fake.botSays({
        channel: SUPPORT,
        bot_id: 'B_ECHO',
        subtype: 'bot_message',
        text: message.text,
      });
    });

    h.fake.userSays({ channel: SUPPORT, user: 'U_A', text: 'hi' });
    await h.settle();

    const inChannel = h.fake.messages.map((m) => `${m.user ?? m.bot_id}: ${m.text}`).sort();
    expect(inChannel).toEqual([
      'B_ECHO: Hi! How can I help with your order?',
      'B_ECHO: hi',
      'U_A: hi',
      'U_PARLEY: Hi! How can I help with your order?',
    ]);
    expect(posts()).toHaveLength(1);
    expect(h.conversation.handled.map((m) => m.text)).toEqual(['hi']);
  });

  it('ignores a message from another app that has a user id and a bot_id', async () => {
    h = await startHarness();
    await h.fake.deliverEvent(
      channelMessage({ user: 'U_OTHERBOT', bot_id: 'B_OTHER', text: 'order A1', ts: '1.1' }),
    );
    await h.settle();
    expect(h.conversation.handled).toHaveLength(0);
    expect(posts()).toHaveLength(0);
  });
});
