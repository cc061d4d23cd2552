import { MessageType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import {
  messageCreate,
  messageDelete,
  messageUpdate,
  plainText,
  type DiscordScope,
  type MessageView,
} from '../../../adapters/discord/to-message.js';

const BOT = '900000000000000002';
const scope: DiscordScope = {
  botUserId: BOT,
  channels: new Set(['C_SUPPORT']),
  guilds: new Set(['G_ALL']),
};

const noNames = { users: new Map(), roles: new Map(), channels: new Map() };

function view(overrides: Partial<MessageView> = {}): MessageView {
  return {
    id: '1500',
    channelId: 'C_SUPPORT',
    guildId: 'G_SHOP',
    parentId: null,
    isThread: false,
    isDirect: false,
    content: 'where is order A1234',
    authorId: 'U_A',
    authorName: 'alice',
    authorIsBot: false,
    webhookId: null,
    system: false,
    type: MessageType.Default,
    attachmentCount: 0,
    embedCount: 0,
    stickerCount: 0,
    hasPoll: false,
    names: noNames,
    createdAt: new Date('2024-01-01T00:00:00Z'),
    ...overrides,
  };
}

function reason(v: MessageView): string {
  const inbound = messageCreate(v, scope);
  return inbound.kind === 'ignore' ? inbound.reason : inbound.kind;
}

describe('discord messageCreate', () => {
  it('reads a channel message into an IncomingMessage', () => {
    expect(messageCreate(view(), scope)).toEqual({
      kind: 'message',
      message: {
        platform: 'discord',
        workspaceId: 'G_SHOP',
        channelId: 'C_SUPPORT',
        platformMessageId: '1500',
        userId: 'U_A',
        userName: 'alice',
        text: 'where is order A1234',
        isDirect: false,
        mentionsBot: false,
        attachmentCount: 0,
        receivedAt: new Date('2024-01-01T00:00:00Z'),
      },
    });
  });

  it('a thread message belongs to the thread, answered under a configured parent', () => {
    const inbound = messageCreate(
      view({ channelId: 'T_1', isThread: true, parentId: 'C_SUPPORT' }),
      scope,
    );
    expect(inbound).toMatchObject({
      kind: 'message',
      message: { channelId: 'T_1', threadId: 'T_1' },
    });
  });

  it('a DM is workspace "dm" and direct', () => {
    const inbound = messageCreate(view({ guildId: null, isDirect: true, channelId: 'D_1' }), scope);
    expect(inbound).toMatchObject({ message: { workspaceId: 'dm', isDirect: true } });
  });

  it.each([
    ['webhook', view({ webhookId: 'W1' }), 'webhook message'],
    ['Parley itself', view({ authorId: BOT, authorIsBot: true }), 'Parley itself'],
    ['another bot', view({ authorId: 'B1', authorIsBot: true }), 'message from a bot'],
    ['a pin notice', view({ type: MessageType.ChannelPinnedMessage }), 'system message (type 6)'],
    [
      'a thread-created notice',
      view({ type: MessageType.ThreadCreated }),
      'system message (type 18)',
    ],
    ['no author', view({ authorId: null }), 'message without an author'],
    [
      'another channel',
      view({ channelId: 'C_OTHER' }),
      'not a channel Parley answers in (DISCORD_CHANNELS, DISCORD_GUILDS)',
    ],
  ])('ignores %s', (_label, v, expected) => {
    expect(reason(v)).toBe(expected);
  });

  it('answers anywhere when mentioned or replied to, and in every channel of DISCORD_GUILDS', () => {
    expect(reason(view({ channelId: 'C_OTHER', content: `<@${BOT}> hi` }))).toBe('message');
    expect(reason(view({ channelId: 'C_OTHER', content: `<@!${BOT}> hi` }))).toBe('message');
    expect(reason(view({ channelId: 'C_OTHER', repliedUserId: BOT }))).toBe('message');
    expect(reason(view({ channelId: 'C_OTHER', guildId: 'G_ALL' }))).toBe('message');
  });

  it('C19: a guild message with nothing in it is empty-content; with an image it is not', () => {
    expect(reason(view({ content: '' }))).toBe('empty-content');
    expect(reason(view({ content: '', attachmentCount: 1 }))).toBe('message');
    expect(reason(view({ content: '', embedCount: 1 }))).toBe('message');
    expect(reason(view({ content: '', isDirect: true, guildId: null }))).toBe('message');
  });

  it('C06: an image-only message goes on with empty text and its attachment count', () => {
    const inbound = messageCreate(view({ content: '', attachmentCount: 1 }), scope);
    expect(inbound).toMatchObject({
      message: { text: '', attachmentCount: 1, mentionsBot: false },
    });
  });
});

describe('discord plainText', () => {
  const names = {
    users: new Map([['77', 'bob']]),
    roles: new Map([['88', 'Support']]),
    channels: new Map([['99', 'orders']]),
  };

  it.each([
    ['bot mention removed', `<@${BOT}> where is A1234`, 'where is A1234'],
    ['legacy nickname mention removed', `hey <@!${BOT}>, refund`, 'hey , refund'],
    ['mention only', `<@${BOT}>`, ''],
    ['other people by name', 'ask <@77> about it', 'ask @bob about it'],
    ['unknown person', 'ask <@12> about it', 'ask @user about it'],
    ['roles and channels', 'ping <@&88> in <#99>', 'ping @Support in #orders'],
    ['custom emoji', 'thanks <:party:123456> <a:wave:654321>', 'thanks :party: :wave:'],
    ['slash command mention', 'try </parley help:42>', 'try /parley help'],
    ['timestamp', 'since <t:0:R>', 'since 1970-01-01T00:00:00.000Z'],
    ['markdown left as written', 'refund **A1234**', 'refund **A1234**'],
  ])('%s', (_label, content, expected) => {
    expect(plainText(content, BOT, names)).toBe(expected);
  });

  it('C01: an emoji before an entity keeps UTF-16 offsets into the text', () => {
    const text = plainText(`<@${BOT}> 📦 order A1234`, BOT, names);
    expect(text).toBe('📦 order A1234');
    expect(text.slice(9, 14)).toBe('A1234');
  });
});

describe('discord edits and deletions', () => {
  it('C15: an edit is not re-read, and a partial old message (null fields) does not throw', () => {
    const result = messageUpdate({ id: '1500' }, { authorId: null, authorIsBot: false }, scope);
    expect(result).toEqual({ kind: 'ignore', reason: 'edit of a message (edits are not re-read)' });
  });

  it('C15: an embed added to Parley’s reply is an update of a bot message', () => {
    const result = messageUpdate(null, { authorId: BOT, authorIsBot: true }, scope);
    expect(result).toEqual({ kind: 'ignore', reason: 'update of a bot message (embeds)' });
  });

  it('a deletion, partial or not, forgets the message key; a bot message is left alone', () => {
    const partial = view({ content: null, authorId: null, type: null });
    expect(messageDelete(partial, scope)).toEqual({
      kind: 'forget',
      key: {
        platform: 'discord',
        workspaceId: 'G_SHOP',
        channelId: 'C_SUPPORT',
        platformMessageId: '1500',
      },
    });
    expect(messageDelete(view({ authorId: BOT, authorIsBot: true }), scope)).toMatchObject({
      kind: 'ignore',
    });
  });
});
