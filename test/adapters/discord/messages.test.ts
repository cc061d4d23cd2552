import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ECHO_BOT,
  ELSEWHERE,
  GUILD,
  startHarness,
  SUPPORT,
  THREAD,
  USER_A,
  type Harness,
} from './harness.js';
import { user } from './fake-discord.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

describe('discord messages', () => {
  it('C16: answers a person once and never itself, an echo bot or a webhook', async () => {
    h.fake.addEchoBot(SUPPORT, ECHO_BOT);

    h.fake.post(SUPPORT, USER_A, 'hi');
    // Seen: the user's message, the echo, Parley's reply (its own MESSAGE_CREATE).
    await h.settled(3);
    const hook = user('1190000000000000077', 'Status feed');
    h.fake.post(SUPPORT, hook, 'hi from a webhook', { webhook_id: '1190000000000000078' });
    await h.settled(4);

    const messages = h.fake.messages(SUPPORT);
    expect(messages.map((m) => [m.author.username, m.content])).toEqual(
      expect.arrayContaining([
        ['alice', 'hi'],
        ['echo', 'hi'],
        ['Parley', 'Hi! How can I help with your order?'],
        ['Status feed', 'hi from a webhook'],
      ]),
    );
    expect(messages).toHaveLength(4);
    expect(h.fake.botMessages(SUPPORT)).toHaveLength(1);
    expect(h.ports.handled).toEqual(['hi']);
    expect(h.adapter.stats()).toMatchObject({ received: 4, answered: 1, ignored: 3 });
  });

  it('C16: a bot that repeats everything, Parley included, still gets no answer', async () => {
    const parrot = user('1190000000000000051', 'parrot', true);
    h.fake.post(SUPPORT, USER_A, 'hi');
    await h.settled(2);
    const reply = h.fake.botMessages(SUPPORT)[0];
    h.fake.post(SUPPORT, parrot, reply.content);
    await h.settled(3);

    expect(h.fake.botMessages(SUPPORT)).toHaveLength(1);
    expect(h.ports.handled).toEqual(['hi']);
  });

  it('replies as a Discord reply to the message, with the three feedback buttons', async () => {
    const asked = h.fake.post(SUPPORT, USER_A, 'where is order A1234');
    await h.settled(2);

    const [reply] = h.fake.botMessages(SUPPORT);
    expect(reply.content).toBe('Order A1234 is on its way.');
    expect(reply.message_reference?.message_id).toBe(asked.id);
    const buttons = (reply.components[0] as { components: { label: string; custom_id: string }[] })
      .components;
    expect(buttons.map((b) => b.label)).toEqual(['👍', '👎', 'Fix']);
    expect(buttons[0].custom_id).toMatch(/^parley:up:[0-9a-f-]{36}$/);
  });

  it('C18: a message in a thread is answered in that thread', async () => {
    h.fake.post(THREAD, USER_A, 'where is order A1234');
    await h.settled(2);

    expect(h.fake.botMessages(THREAD).map((m) => m.content)).toEqual([
      'Order A1234 is on its way.',
    ]);
    expect(h.fake.botMessages(SUPPORT)).toHaveLength(0);
  });

  it('C18: slots carry over inside a thread and not into a new top-level message', async () => {
    h.fake.post(THREAD, USER_A, 'where is my order');
    await h.settled(2);
    h.fake.post(THREAD, USER_A, 'A1234');
    await h.settled(4);
    h.fake.post(SUPPORT, USER_A, 'where is my order');
    await h.settled(6);

    expect(h.fake.botMessages(THREAD).map((m) => m.content)).toEqual([
      'What is your order number?',
      'Order A1234 is on its way.',
    ]);
    expect(h.fake.botMessages(SUPPORT).map((m) => m.content)).toEqual([
      'What is your order number?',
    ]);
  });

  it('a Discord reply to Parley continues that conversation in the channel', async () => {
    h.fake.post(SUPPORT, USER_A, 'where is my order');
    await h.settled(2);
    const question = h.fake.botMessages(SUPPORT)[0];
    h.fake.post(SUPPORT, USER_A, 'A1234', {
      type: 19,
      message_reference: { type: 0, message_id: question.id, channel_id: SUPPORT, guild_id: GUILD },
      referenced_message: question,
    });
    await h.settled(4);

    expect(h.fake.botMessages(SUPPORT).map((m) => m.content)).toEqual([
      'What is your order number?',
      'Order A1234 is on its way.',
    ]);
  });

  it('answers direct messages and mentions, with the mention removed from the text', async () => {
    const bot = h.fake.bot.id;
    h.fake.directMessage(USER_A, 'hi');
    h.fake.post(ELSEWHERE, USER_A, `<@${bot}> where is order A1234`);
    h.fake.post(ELSEWHERE, USER_A, 'where is order A1234');
    await h.settled(5);

    const dm = h.fake.dmChannel(USER_A);
    expect(h.fake.botMessages(dm.id).map((m) => m.content)).toEqual([
      'Hi! How can I help with your order?',
    ]);
    expect(h.fake.botMessages(ELSEWHERE).map((m) => m.content)).toEqual([
      'Order A1234 is on its way.',
    ]);
    expect(h.ports.handled).toEqual(['hi', 'where is order A1234']);
  });

  it('C06: a bare mention gets one short prompt without buttons', async () => {
    h.fake.post(SUPPORT, USER_A, `<@${h.fake.bot.id}>`);
    await h.settled(2);

    const replies = h.fake.botMessages(SUPPORT);
    expect(replies.map((m) => m.content)).toEqual(['How can I help?']);
    expect(replies[0].components).toEqual([]);
    expect(h.ports.nlu.calls).toEqual([]);
  });

  it('C06: an image with no text gets no reply, no model call and no error', async () => {
    h.fake.post(SUPPORT, USER_A, '', {
      attachments: [
        {
          id: '1190000000000009001',
          filename: 'receipt.png',
          size: 2048,
          content_type: 'image/png',
          url: 'http://127.0.0.1:9/receipt.png',
          proxy_url: 'http://127.0.0.1:9/receipt.png',
        },
      ],
    });
    h.fake.post(SUPPORT, USER_A, ' \u200b ');
    await h.settled(2);

    expect(h.fake.botMessages(SUPPORT)).toHaveLength(0);
    expect(h.ports.nlu.calls).toEqual([]);
    expect(h.adapter.stats()).toMatchObject({ emptyContent: 0, failures: 0, ignored: 2 });
    await h.ports.flush();
    expect((await h.ports.memory.counts()).messagesIn).toBe(0);
  });

  it('C15: a partial edit (old content and author null) does not throw and is not answered', async () => {
    // Sent before the client connected: it is not in discord.js's cache, so the old message
    // that messageUpdate receives is partial.
    const original = {
      ...h.fake.post(SUPPORT, USER_A, 'hi'),
      id: h.fake.snowflake(),
    };
    await h.settled(2);
    h.fake.edit(original, 'refund order A1243');
    await h.fake.until(() => h.adapter.stats().edits >= 1, 'the edit');
    await h.adapter.idle();

    expect(h.adapter.stats()).toMatchObject({ edits: 1, failures: 0, answered: 1 });
    const update = h.logs.find((line) => line.msg === 'discord update ignored');
    expect(update).toMatchObject({
      oldPartial: true,
      reason: 'edit of a message (edits are not re-read)',
    });
    expect(h.fake.botMessages(SUPPORT)).toHaveLength(1);
    expect(h.ports.handled).toEqual(['hi']);
  });

  it('C15: an edit of a cached message and an embed update of Parley’s reply are not answered', async () => {
    const asked = h.fake.post(SUPPORT, USER_A, 'refund order A1234');
    await h.settled(2);
    h.fake.edit(asked, 'refund order A1243');
    const [reply] = h.fake.botMessages(SUPPORT);
    h.fake.edit(
      { ...reply, embeds: [{ type: 'link', url: 'https://help.example.test/refunds' }] },
      reply.content,
    );
    await h.fake.until(() => h.adapter.stats().edits >= 2, 'the edits');
    await h.adapter.idle();

    expect(h.fake.botMessages(SUPPORT)).toHaveLength(1);
    expect(h.ports.handled).toEqual(['refund order A1234']);
  });

  it('C15: a deleted message is forgotten, also when it is not cached, and not answered', async () => {
    const asked = h.fake.post(SUPPORT, USER_A, 'where is order A1234');
    await h.settled(2);
    h.fake.delete(asked);
    h.fake.delete({ ...asked, id: h.fake.snowflake() });
    await h.fake.until(() => h.adapter.stats().forgotten >= 2, 'two deletions');
    await h.adapter.idle();
    await h.ports.flush();

    expect(h.ports.forgotten).toEqual([asked.id, expect.any(String)]);
    const stored = [...h.ports.memory.messages.values()].find((m) => m.direction === 'in');
    expect(stored).toMatchObject({ text: '', deleted: true });
    expect(h.fake.botMessages(SUPPORT)).toHaveLength(1);
  });

  it('does not answer in channels it was not given, unless mentioned', async () => {
    h.fake.post(ELSEWHERE, USER_A, 'hi');
    await h.settled(1);

    expect(h.fake.botMessages(ELSEWHERE)).toHaveLength(0);
    expect(h.ports.handled).toEqual([]);
  });
});
