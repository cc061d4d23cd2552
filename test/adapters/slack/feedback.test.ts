import { afterEach, describe, expect, it } from 'vitest';
import { BOT_ID } from './fake-slack.js';
import { repliedResults, startHarness, SUPPORT, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function askAndGetReply(text: string) {
  h.fake.userSays({ channel: SUPPORT, user: 'U_A', text });
  await h.settle();
  const reply = h.fake.messages.find((m) => m.bot_id === BOT_ID);
  if (!reply) throw new Error('Parley did not reply');
  return reply;
}

function note(message: { blocks?: Record<string, any>[] }) {
  return message.blocks?.find((b) => b.block_id === 'parley_feedback_note')?.elements[0].text;
}

describe('feedback buttons', () => {
  it('records a thumbs up and updates the reply to say so', async () => {
    h = await startHarness();
    const reply = await askAndGetReply('where is order A1234');

    const click = await h.fake.clickButton(reply, 'parley_feedback_up', 'U_B');
    await h.settle();

    expect(click.status).toBe(200);
    const messageId = repliedResults(h)[0].messageId;
    expect(h.feedback.calls).toEqual([{ messageId, userId: 'U_B', kind: 'up' }]);
    expect([...h.store.feedback.values()]).toMatchObject([
      { messageId, userId: 'U_B', kind: 'up' },
    ]);
    expect(h.fake.callsTo('chat.update')).toHaveLength(1);
    expect(note(reply)).toBe(
      ':white_check_mark: Feedback recorded: :thumbsup: from <@U_B>. Thank you!',
    );
    expect(reply.text).toBe('Order A1234 is on its way.');
    expect(reply.blocks?.map((b) => b.type)).toEqual(['section', 'actions', 'context']);
  });

  it('replaces the note when the same user changes to thumbs down', async () => {
    h = await startHarness();
    const reply = await askAndGetReply('where is order A1234');

    await h.fake.clickButton(reply, 'parley_feedback_up', 'U_B');
    await h.settle();
    await h.fake.clickButton(reply, 'parley_feedback_down', 'U_B');
    await h.settle();

    const messageId = repliedResults(h)[0].messageId;
    expect(h.store.feedback.get(`${messageId}/U_B`)?.kind).toBe('down');
    expect(reply.blocks?.filter((b) => b.type === 'context')).toHaveLength(1);
    expect(note(reply)).toContain(':thumbsdown:');
  });

  it('tells the user privately when the message is no longer stored', async () => {
    h = await startHarness();
    const reply = await askAndGetReply('where is order A1234');
    await h.conversation.forget({
      platform: 'slack',
      workspaceId: 'T_FAKE',
      channelId: SUPPORT,
      platformMessageId: h.fake.messages[0].ts,
    });
    await h.settle();

    await h.fake.clickButton(reply, 'parley_feedback_up', 'U_B');
    await h.settle();

    expect(h.fake.callsTo('chat.update')).toHaveLength(0);
    expect(h.fake.callsTo('chat.postEphemeral').map((c) => c.args)).toEqual([
      {
        channel: SUPPORT,
        user: 'U_B',
        text: 'Parley no longer has that message (it may have been deleted), so the feedback was not recorded.',
        thread_ts: reply.thread_ts,
      },
    ]);
  });
});

describe('the fix modal', () => {
  it('opens with the predicted intent and entities, and records a correction with offsets', async () => {
    h = await startHarness();
    const reply = await askAndGetReply('refund order A1243, not A1234');

    await h.fake.clickButton(reply, 'parley_feedback_fix', 'U_B');
    await h.settle();
    const opened = h.fake.latestView();
    const blocks = opened.view.blocks as Record<string, any>[];
    expect(blocks[0].text.text).toBe('refund order A1243, not A1234');
    const intent = blocks.find((b) => b.block_id === 'parley_intent');
    expect(intent?.element.initial_option.value).toBe('refund');
    expect(intent?.element.options.map((o: any) => o.value)).toEqual([
      'greet',
      'order_status',
      'refund',
      'human_handoff',
      'out_of_scope',
    ]);
    const orderBox = blocks.find((b) => b.label?.text === 'order_id');
    expect(orderBox?.element.initial_value).toBe('A1243\nA1234');

    const submit = await h.fake.submitView(opened, {
      'What was the customer asking for?': 'refund',
      order_id: 'A1243',
    });
    await h.settle();

    expect(submit.status).toBe(200);
    expect(submit.body).toBe('');
    expect(h.feedback.calls).toEqual([
      {
        messageId: repliedResults(h)[0].messageId,
        userId: 'U_B',
        kind: 'correction',
        intent: 'refund',
        entities: [{ type: 'order_id', start: 13, end: 18 }],
      },
    ]);
    expect(note(reply)).toBe(
      ':white_check_mark: Feedback recorded: a correction from <@U_B>. Thank you!',
    );
  });

  it('explains in the modal a value that is not in the message, and records nothing', async () => {
    h = await startHarness();
    const reply = await askAndGetReply('refund order A1243');

    await h.fake.clickButton(reply, 'parley_feedback_fix', 'U_B');
    await h.settle();
    const submit = await h.fake.submitView(h.fake.latestView(), { order_id: 'B7777' });
    await h.settle();

    expect(submit.status).toBe(200);
    expect(JSON.parse(submit.body)).toEqual({
      response_action: 'errors',
      errors: {
        'parley_entity:order_id':
          '"B7777" is not in the message. Copy the words exactly as they appear.',
      },
    });
    expect(h.feedback.calls).toEqual([]);
    expect(h.fake.callsTo('chat.update')).toHaveLength(0);
  });

  it('opens the modal within the 3 s the trigger id lives', async () => {
    h = await startHarness();
    const reply = await askAndGetReply('where is order A1234');
    await h.fake.clickButton(reply, 'parley_feedback_fix', 'U_B');
    await h.settle();
    expect(h.fake.callsTo('views.open')).toHaveLength(1);
    expect(h.fake.views).toHaveLength(1);
  });
});
