import { ChannelType, MessageType, type Message, type PartialMessage } from 'discord.js';
import type { IncomingMessage, MessageKey } from '../../src/conversation/types.js';

/**
 * Discord gateway messages in, one decision out. This is the only place that reads discord.js
 * message objects (discord.js 14.28, API v10); the raw handlers are named after the gateway events
 * (MESSAGE_CREATE -> `messageCreate`, ...). The rules are written up in README.md ("Which
 * messages Parley answers").
 */

/** Who Parley is and where it answers without being mentioned. */
export interface DiscordScope {
  botUserId: string;
  /** DISCORD_CHANNELS: these channels and the threads under them. */
  channels: ReadonlySet<string>;
  /** DISCORD_GUILDS: every channel of these guilds. */
  guilds: ReadonlySet<string>;
}

export interface MentionNames {
  users: ReadonlyMap<string, string>;
  roles: ReadonlyMap<string, string>;
  channels: ReadonlyMap<string, string>;
}

/** The fields of a Discord message that Parley reads; partial messages leave most of them null. */
export interface MessageView {
  id: string;
  channelId: string;
  guildId: string | null;
  /** For a thread channel: the channel it hangs under. */
  parentId: string | null;
  isThread: boolean;
  isDirect: boolean;
  /** Null on a partial message; "" when Discord withheld it (no Message Content intent). */
  content: string | null;
  authorId: string | null;
  authorName?: string;
  authorIsBot: boolean;
  webhookId: string | null;
  system: boolean;
  type: MessageType | null;
  attachmentCount: number;
  embedCount: number;
  stickerCount: number;
  hasPoll: boolean;
  /** The message this one answers (Discord's reply), and that message's author. */
  referenceId?: string;
  repliedUserId?: string;
  /** Display names for `<@id>`, `<@&id>` and `<#id>` in the content. */
  names: MentionNames;
  createdAt: Date;
}

export type DiscordInbound =
  | { kind: 'message'; message: IncomingMessage }
  /** A guild message with nothing in it: the Message Content intent is missing (case C19). */
  | { kind: 'empty-content' }
  | { kind: 'forget'; key: MessageKey }
  | { kind: 'ignore'; reason: string };

/** Message types a person writes; joins, pins, thread notices and the like are system messages. */
const USER_MESSAGE_TYPES: ReadonlySet<MessageType> = new Set([
  MessageType.Default,
  MessageType.Reply,
]);

/** MESSAGE_CREATE. */
export function messageCreate(view: MessageView, scope: DiscordScope): DiscordInbound {
  const notPerson = notFromAPerson(view, scope);
  if (notPerson) return ignore(notPerson);

  const content = view.content ?? '';
  const mentioned = mentionsUser(content, scope.botUserId);
  const addressed = mentioned || view.repliedUserId === scope.botUserId;
  const place = placeRule(view, addressed, scope);
  if (place) return ignore(place);

  if (isWithheld(view)) return { kind: 'empty-content' };

  return {
    kind: 'message',
    message: {
      ...messageKey(view),
      // A thread channel is the conversation; a reply chain gets its root in messages.ts.
      ...(view.isThread ? { threadId: view.channelId } : {}),
      userId: view.authorId as string,
      ...(view.authorName ? { userName: view.authorName } : {}),
      text: plainText(content, scope.botUserId, view.names),
      isDirect: view.isDirect,
      mentionsBot: addressed,
      attachmentCount: view.attachmentCount,
      receivedAt: view.createdAt,
    },
  };
}

/**
 * MESSAGE_UPDATE: edits are not read again (the same rule as Slack's `message_changed`). Discord
 * also sends updates when it adds link embeds to a message, Parley's own replies included. The
 * old message may be partial (content and author null): only the new one's id is read.
 */
export function messageUpdate(
  _old: Pick<MessageView, 'id'> | null,
  updated: Pick<MessageView, 'authorId' | 'authorIsBot'>,
  scope: DiscordScope,
): DiscordInbound {
  if (updated.authorId === scope.botUserId || updated.authorIsBot) {
    return ignore('update of a bot message (embeds)');
  }
  return ignore('edit of a message (edits are not re-read)');
}

/** MESSAGE_DELETE: the stored text of a person's message is forgotten; nothing is replied. */
export function messageDelete(view: MessageView, scope: DiscordScope): DiscordInbound {
  if (view.authorId === scope.botUserId || view.authorIsBot || view.webhookId) {
    return ignore('deletion of a bot message');
  }
  // A partial message (sent before this process started) has no author: forgetting an unknown
  // key changes nothing, so it is forgotten all the same.
  return {
    kind: 'forget',
    key: messageKey(view),
  };
}

function notFromAPerson(view: MessageView, scope: DiscordScope): string | undefined {
  if (view.webhookId) return 'webhook message';
  if (view.authorId === scope.botUserId) return 'Parley itself';
  if (view.authorIsBot) return 'message from a bot';
  if (!view.authorId) return 'message without an author';
  if (view.system || (view.type !== null && !USER_MESSAGE_TYPES.has(view.type))) {
    return `system message (type ${view.type})`;
  }
  return undefined;
}

function placeRule(view: MessageView, addressed: boolean, scope: DiscordScope): string | undefined {
  if (view.isDirect || addressed) return undefined;
  if (view.guildId && scope.guilds.has(view.guildId)) return undefined;
  if (scope.channels.has(view.channelId)) return undefined;
  if (view.parentId && scope.channels.has(view.parentId)) return undefined;
  return 'not a channel Parley answers in (DISCORD_CHANNELS, DISCORD_GUILDS)';
}

/**
 * Without the Message Content intent Discord sends guild messages with empty content and no
 * attachments, embeds or polls. A person cannot post such a message, so it means "withheld".
 */
function isWithheld(view: MessageView): boolean {
  return (
    !view.isDirect &&
    view.content === '' &&
    view.attachmentCount === 0 &&
    view.embedCount === 0 &&
    view.stickerCount === 0 &&
    !view.hasPoll
  );
}

function ignore(reason: string): DiscordInbound {
  return { kind: 'ignore', reason };
}

export function mentionsUser(content: string, userId: string): boolean {
  return content.includes(`<@${userId}>`) || content.includes(`<@!${userId}>`);
}

/**
 * Discord's message markup to the text a person sees, with Parley's own mention removed. Entity
 * offsets (predictions, corrections) are UTF-16 indices into this text, never into the markup.
 * Markdown (`**bold**`) is left as written.
 */
export function plainText(content: string, botUserId: string, names: MentionNames): string {
  const withoutBot = content.replace(/\s*<@!?(\d+)>\s*/g, (whole, id: string) =>
    id === botUserId ? ' ' : whole,
  );
  return withoutBot
    .replace(/<@!?(\d+)>/g, (_whole, id: string) => `@${names.users.get(id) ?? 'user'}`)
    .replace(/<@&(\d+)>/g, (_whole, id: string) => `@${names.roles.get(id) ?? 'role'}`)
    .replace(/<#(\d+)>/g, (_whole, id: string) => `#${names.channels.get(id) ?? 'channel'}`)
    .replace(/<a?:(\w+):\d+>/g, (_whole, name: string) => `:${name}:`)
    .replace(/<\/([\w -]+):\d+>/g, (_whole, name: string) => `/${name}`)
    .replace(/<t:(-?\d+)(?::[tTdDfFR])?>/g, (_whole, seconds: string) => timestamp(seconds))
    .trim();
}

function timestamp(seconds: string): string {
  const date = new Date(Number(seconds) * 1000);
  return Number.isNaN(date.getTime()) ? seconds : date.toISOString();
}

/** Reads a discord.js message (full or partial) into a MessageView. */
export function viewOf(message: Message | PartialMessage): MessageView {
  const channel = message.channel;
  const isThread = channel?.isThread?.() ?? false;
  const mentions = message.mentions;

  return {
    id: message.id,
    channelId: message.channelId,
    guildId: message.guildId ?? null,
    parentId: isThread ? (channel as { parentId: string | null }).parentId : null,
    isThread,
    isDirect: !message.guildId && channel?.type !== ChannelType.GroupDM,
    content: message.content ?? null,
    authorId: message.author?.id ?? null,
    authorName: message.author?.globalName ?? message.author?.username ?? undefined,
    authorIsBot: message.author?.bot ?? false,
    webhookId: message.webhookId ?? null,
    system: message.system ?? false,
    type: message.type ?? null,
    attachmentCount: message.attachments?.size ?? 0,
    embedCount: message.embeds?.length ?? 0,
    stickerCount: message.stickers?.size ?? 0,
    hasPoll: Boolean(message.poll),
    referenceId: message.reference?.messageId,
    repliedUserId: mentions?.repliedUser?.id,
    names: {
      users: new Map(mentions?.users.map((user, id) => [id, user.globalName ?? user.username])),
      roles: new Map(mentions?.roles.map((role, id) => [id, role.name])),
      channels: new Map(
        mentions?.channels.map((mentioned, id) => [
          id,
          'name' in mentioned && mentioned.name ? mentioned.name : id,
        ]),
      ),
    },
    createdAt: message.createdAt,
  };
}

/** The key of a Discord message: its guild ("dm" outside one), channel and snowflake. */
function messageKey(view: MessageView): MessageKey {
  return {
    platform: 'discord',
    workspaceId: view.guildId ?? 'dm',
    channelId: view.channelId,
    platformMessageId: view.id,
  };
}
