import { describe, expect, it } from 'vitest';
import {
  plainText,
  toSlackInbound,
  type SlackMessageEvent,
  type SlackScope,
} from '../../../adapters/slack/to-message.js';

const scope: SlackScope = {
  teamId: 'T_FAKE',
  botUserId: 'U_PARLEY',
  botId: 'B_PARLEY',
  channels: new Set(['C_SUPPORT']),
};
const now = new Date('2023-11-14T22:13:20Z');

function event(fields: Partial<SlackMessageEvent>): SlackMessageEvent {
  return {
    type: 'message',
    channel: 'C_SUPPORT',
    channel_type: 'channel',
    user: 'U_A',
    text: 'where is order A1234',
    ts: '1700000000.000100',
    ...fields,
  };
}

describe('toSlackInbound', () => {
  const ignored: [string, Partial<SlackMessageEvent>, string][] = [
    ['a bot_id', { bot_id: 'B_ECHO' }, 'message from a bot'],
    ['a bot_message subtype', { subtype: 'bot_message', user: undefined }, 'bot_message subtype'],
    ["Parley's own user id", { user: 'U_PARLEY' }, 'Parley itself'],
    ['no user', { user: undefined }, 'message without a user'],
    ['a channel_join', { subtype: 'channel_join' }, 'subtype channel_join'],
    ['an unconfigured channel', { channel: 'C_RANDOM' }, 'channel not in SLACK_CHANNELS'],
    [
      'a channel message that mentions Parley',
      { text: '<@U_PARLEY> where is order A1234' },
      'mention: read from its app_mention event',
    ],
  ];
  it.each(ignored)('ignores %s', (_label, fields, reason) => {
    expect(toSlackInbound(event(fields), scope, now)).toEqual({ kind: 'ignore', reason });
  });

  it('ignores an unfurl: message_changed whose inner message is the bot reply', () => {
    const unfurl = event({
      subtype: 'message_changed',
      user: undefined,
      message: {
        type: 'message',
        user: 'U_PARLEY',
        bot_id: 'B_PARLEY',
        text: 'see https://help.example.test/refunds',
        ts: '1700000001.000200',
      },
    });
    expect(toSlackInbound(unfurl, scope, now)).toEqual({
      kind: 'ignore',
      reason: 'change to a bot message (unfurl)',
    });
  });

  it('ignores a user edit and never reads it as a new message', () => {
    const edit = event({
      subtype: 'message_changed',
      user: undefined,
      text: undefined,
      message: {
        type: 'message',
        user: 'U_A',
        text: 'refund order A1243',
        ts: '1700000000.000100',
      },
      previous_message: { type: 'message', user: 'U_A', text: 'refund order A1234' },
    });
    expect(toSlackInbound(edit, scope, now)).toEqual({
      kind: 'ignore',
      reason: 'edit of a message (edits are not re-read)',
    });
  });

  it('turns a deletion into forget with the deleted ts as the key', () => {
    const deletion = event({
      subtype: 'message_deleted',
      user: undefined,
      ts: '1700000099.000900',
      deleted_ts: '1700000000.000100',
      previous_message: { type: 'message', user: 'U_A', text: 'refund order A1243' },
    });
    expect(toSlackInbound(deletion, scope, now)).toEqual({
      kind: 'forget',
      key: {
        platform: 'slack',
        workspaceId: 'T_FAKE',
        channelId: 'C_SUPPORT',
        platformMessageId: '1700000000.000100',
      },
    });
  });

  it('reads a top-level channel message as a new thread at its own ts', () => {
    const inbound = toSlackInbound(event({}), scope, now);
    expect(inbound).toEqual({
      kind: 'message',
      replyThreadTs: '1700000000.000100',
      message: {
        platform: 'slack',
        workspaceId: 'T_FAKE',
        channelId: 'C_SUPPORT',
        platformMessageId: '1700000000.000100',
        threadId: '1700000000.000100',
        userId: 'U_A',
        text: 'where is order A1234',
        isDirect: false,
        mentionsBot: false,
        attachmentCount: 0,
        receivedAt: now,
      },
    });
  });

  it('puts a thread reply in the thread of its parent', () => {
    const reply = event({
      text: 'and B5678?',
      ts: '1700000260.000400',
      thread_ts: '1700000200.000300',
    });
    const inbound = toSlackInbound(reply, scope, now);
    expect(inbound.kind === 'message' && inbound.message.threadId).toBe('1700000200.000300');
    expect(inbound.kind === 'message' && inbound.replyThreadTs).toBe('1700000200.000300');
  });

  it('answers a top-level DM outside any thread, in any channel id', () => {
    const dm = event({ channel: 'D_A', channel_type: 'im' });
    const inbound = toSlackInbound(dm, scope, now);
    expect(inbound.kind).toBe('message');
    if (inbound.kind !== 'message') return;
    expect(inbound.message.isDirect).toBe(true);
    expect(inbound.message.threadId).toBeUndefined();
    expect(inbound.replyThreadTs).toBeUndefined();
  });

  it('reads an app_mention in any channel and removes the mention (C06)', () => {
    const mention = event({
      type: 'app_mention',
      channel: 'C_RANDOM',
      channel_type: undefined,
      text: '<@U_PARLEY>',
    });
    const inbound = toSlackInbound(mention, scope, now);
    expect(inbound.kind === 'message' && inbound.message).toMatchObject({
      text: '',
      mentionsBot: true,
      channelId: 'C_RANDOM',
    });
  });

  it('counts the files of a file_share message', () => {
    const share = event({ subtype: 'file_share', text: '', files: [{ id: 'F1' }, { id: 'F2' }] });
    const inbound = toSlackInbound(share, scope, now);
    expect(inbound.kind === 'message' && inbound.message.attachmentCount).toBe(2);
  });
});

describe('plainText', () => {
  const rows: [string, string, string, boolean][] = [
    ['mention first', '<@U_PARLEY> where is order A1234', 'where is order A1234', true],
    ['mention with a label', 'hi <@U_PARLEY|parley>, refund please', 'hi , refund please', true],
    ['mention only', '<@U_PARLEY>', '', true],
    ['another user', 'ask <@U_B|bea> about it', 'ask @bea about it', false],
    ['a user without label', 'ask <@U_B> about it', 'ask @U_B about it', false],
    ['a channel', 'see <#C_SUPPORT|support>', 'see #support', false],
    ['a link with its label', 'go to <http://shop.test|shop.test>', 'go to shop.test', false],
    [
      'a bare link',
      'go to <https://shop.test/a?b=1&amp;c=2>',
      'go to https://shop.test/a?b=1&c=2',
      false,
    ],
    ['a special mention', '<!here> order A1234', '@here order A1234', false],
    ['escaped characters', 'a &lt; b &amp;&amp; c &gt; d', 'a < b && c > d', false],
  ];
  it.each(rows)('reads %s', (_label, markup, text, mentionsBot) => {
    expect(plainText(markup, 'U_PARLEY')).toEqual({ text, mentionsBot });
  });
});
