import type { IncomingMessage, MessageKey } from '../../src/conversation/types.js';

/**
 * Slack `message` and `app_mention` events in, one decision out. This is the only place that reads
 * Slack's event shapes (Events API as of bolt 5.1); the rules are written up in README.md
 * ("Which messages Parley answers").
 */

/** The fields of a Slack message-like event that Parley reads. */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel: string;
  /** `im` for direct messages; absent on `app_mention`. */
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  /** Slack's message id: seconds.micros as a string, unique within a channel. */
  ts: string;
  thread_ts?: string;
  files?: unknown[];
  /** `message_deleted`: the ts of the message that was deleted. */
  deleted_ts?: string;
  /** `message_changed`: the message as it is now. */
  message?: Partial<SlackMessageEvent>;
  previous_message?: Partial<SlackMessageEvent>;
}

/** Who Parley is in this workspace (from auth.test) and where it answers unprompted. */
export interface SlackScope {
  teamId: string;
  botUserId: string;
  botId?: string;
  /** Channel ids from SLACK_CHANNELS. */
  channels: ReadonlySet<string>;
}

export type SlackInbound =
  | {
      kind: 'message';
      message: IncomingMessage;
      /** Where the reply goes: the thread parent's ts; undefined for a top-level DM answer. */
      replyThreadTs?: string;
    }
  | { kind: 'forget'; key: MessageKey }
  | { kind: 'ignore'; reason: string };

/** Subtypes that are a person writing something new; every other subtype is not a new message. */
const NEW_MESSAGE_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

export function toSlackInbound(
  event: SlackMessageEvent,
  scope: SlackScope,
  now: Date,
): SlackInbound {
  if (event.subtype === 'message_deleted') return onDeleted(event, scope);
  if (event.subtype === 'message_changed') return ignore(describeChange(event, scope));

  const bot = fromBot(event, scope);
  if (bot) return ignore(bot);
  if (!NEW_MESSAGE_SUBTYPES.has(event.subtype)) return ignore(`subtype ${event.subtype}`);

  const isDirect = event.channel_type === 'im' || event.channel.startsWith('D');
  const { text, mentionsBot } = plainText(event.text ?? '', scope.botUserId);
  const where = placeRule(event, isDirect, mentionsBot, scope);
  if (where) return ignore(where);

  return toMessage(
    event,
    { isDirect, text, mentionsBot: mentionsBot || isMention(event) },
    scope,
    now,
  );
}

function toMessage(
  event: SlackMessageEvent,
  read: { isDirect: boolean; text: string; mentionsBot: boolean },
  scope: SlackScope,
  now: Date,
): SlackInbound {
  // In channels every message starts (or continues) a thread, and the conversation is the thread.
  // In a DM a top-level message continues the DM itself, so slots carry over between messages.
  const threadTs = read.isDirect ? event.thread_ts : (event.thread_ts ?? event.ts);

  return {
    kind: 'message',
    replyThreadTs: threadTs,
    message: {
      platform: 'slack',
      workspaceId: scope.teamId,
      channelId: event.channel,
      platformMessageId: event.ts,
      threadId: threadTs,
      userId: event.user as string,
      text: read.text,
      isDirect: read.isDirect,
      mentionsBot: read.mentionsBot,
      attachmentCount: event.files?.length ?? 0,
      receivedAt: now,
    },
  };
}

function onDeleted(event: SlackMessageEvent, scope: SlackScope): SlackInbound {
  const previous = event.previous_message;
  if (previous && (previous.bot_id || previous.user === scope.botUserId)) {
    return ignore('deletion of a bot message');
  }
  const deletedTs = event.deleted_ts ?? previous?.ts;
  if (!deletedTs) return ignore('deletion without a message ts');

  return {
    kind: 'forget',
    key: {
      platform: 'slack',
      workspaceId: scope.teamId,
      channelId: event.channel,
      platformMessageId: deletedTs,
    },
  };
}

function describeChange(event: SlackMessageEvent, scope: SlackScope): string {
  const inner = event.message;
  if (inner?.bot_id || inner?.user === scope.botUserId) return 'change to a bot message (unfurl)';
  return 'edit of a message (edits are not re-read)';
}

function fromBot(event: SlackMessageEvent, scope: SlackScope): string | undefined {
  if (event.subtype === 'bot_message') return 'bot_message subtype';
  if (event.bot_id) return 'message from a bot';
  if (!event.user) return 'message without a user';
  if (event.user === scope.botUserId) return 'Parley itself';
  return undefined;
}

/**
 * Channel mentions arrive twice (a `message` and an `app_mention` with the same ts); the
 * `app_mention` copy is the one read, so mentions work in channels that are not configured.
 */
function placeRule(
  event: SlackMessageEvent,
  isDirect: boolean,
  mentionsBot: boolean,
  scope: SlackScope,
): string | undefined {
  if (isDirect || isMention(event)) return undefined;
  if (mentionsBot) return 'mention: read from its app_mention event';
  if (!scope.channels.has(event.channel)) return 'channel not in SLACK_CHANNELS';
  return undefined;
}

function isMention(event: SlackMessageEvent): boolean {
  return event.type === 'app_mention';
}

function ignore(reason: string): SlackInbound {
  return { kind: 'ignore', reason };
}

/**
 * Slack's message markup to the text a person sees, with Parley's own mention removed. Entity
 * offsets (feedback, predictions) are indices into this text, never into Slack's markup.
 */
export function plainText(
  markup: string,
  botUserId: string,
): { text: string; mentionsBot: boolean } {
  let mentionsBot = false;
  const withoutBot = markup.replace(/\s*<@([^|>\s]+)(?:\|[^>]*)?>\s*/g, (whole, id: string) => {
    if (id !== botUserId) return whole;
    mentionsBot = true;
    return ' ';
  });

  const text = withoutBot.replace(/<([^<>]*)>/g, (_whole, inner: string) => readToken(inner));
  return { text: decodeEntities(text).trim(), mentionsBot };
}

/** One `<...>` token: user and channel references, special mentions and links. */
function readToken(inner: string): string {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? undefined : inner.slice(bar + 1);

  if (target.startsWith('@')) return label ? `@${label.replace(/^@/, '')}` : target;
  if (target.startsWith('#')) return label ? `#${label}` : target;
  if (target.startsWith('!subteam^')) return label ?? '@group';
  if (target.startsWith('!date^')) return label ?? '';
  if (target.startsWith('!')) return `@${target.slice(1)}`;
  return label ?? target;
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
