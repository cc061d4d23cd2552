import {
  Events,
  type Client,
  type Message,
  type OmitPartialGroupDMChannel,
  type PartialMessage,
} from 'discord.js';
import { Lru } from '../../src/conversation/lru.js';
import type {
  ConversationHandler,
  HandleResult,
  IncomingMessage,
} from '../../src/conversation/types.js';
import type { Logger } from '../../src/core/log.js';
import type { AnsweredMemory } from './fix.js';
import { describeDiscordError, replyPayloads, sendParts } from './reply.js';
import type { DiscordStats } from './stats.js';
import {
  messageCreate,
  messageDelete,
  messageUpdate,
  viewOf,
  type DiscordInbound,
  type DiscordScope,
  type MessageView,
} from './to-message.js';
import type { Track } from './track.js';

type Replied = Extract<HandleResult, { status: 'replied' }>;
type AnyMessage = OmitPartialGroupDMChannel<Message | PartialMessage>;

export interface MessageDeps {
  conversation: ConversationHandler;
  /** Known once the client is ready (the bot's user id). */
  scope: () => DiscordScope;
  answered: AnsweredMemory;
  stats: DiscordStats;
  /** Whether the client asked for the Message Content intent (for the C19 warning). */
  contentIntent: boolean;
  log: Logger;
  track: Track;
}

/**
 * The gateway's message events, each translated by to-message.ts and then handled: new messages
 * go to the conversation service and its reply is posted; edits are logged and not answered;
 * deletions make the conversation service forget the stored text.
 */
export function registerMessageListeners(client: Client, deps: MessageDeps): void {
  // Reply chains in a channel: Parley's reply id -> the message that started the conversation.
  const roots = new Lru<string, string>(20_000);
  let warnedWithheld = false;

  const onCreate = async (message: AnyMessage) => {
    deps.stats.received += 1;
    const view = viewOf(message);
    const inbound = messageCreate(view, deps.scope());
    const log = deps.log.child({ channel: view.channelId, messageId: view.id });

    if (inbound.kind === 'empty-content') {
      deps.stats.emptyContent += 1;
      log.debug('discord guild message with empty content: not answered, not stored');
      if (deps.contentIntent && !warnedWithheld) {
        warnedWithheld = true;
        log.warn(
          'discord guild messages arrive with empty content although the MessageContent intent is requested; enable "Message Content Intent" under Bot > Privileged Gateway Intents in the Developer Portal',
        );
      }
      return;
    }
    if (inbound.kind !== 'message') {
      deps.stats.ignored += 1;
      log.debug({ reason: reasonOf(inbound) }, 'discord message ignored');
      return;
    }

    const root = await replyRoot(message, view, roots, deps);
    const incoming: IncomingMessage = root
      ? { ...inbound.message, threadId: root }
      : inbound.message;
    await answer(message, incoming, roots, deps, log);
  };

  client.on(Events.MessageCreate, (message) => {
    void deps.track(onCreate(message).catch((err) => failed(err, 'message', deps)));
  });

  client.on(Events.MessageUpdate, (old, updated) => {
    deps.stats.edits += 1;
    try {
      const inbound = messageUpdate(old, viewOf(updated), deps.scope());
      deps.log.debug(
        { messageId: updated.id, oldPartial: old.partial, reason: reasonOf(inbound) },
        'discord update ignored',
      );
    } catch (err) {
      failed(err, 'update', deps);
    }
  });

  client.on(Events.MessageDelete, (message) => {
    void deps.track(forget(message, deps).catch((err) => failed(err, 'delete', deps)));
  });

  client.on(Events.MessageBulkDelete, (messages) => {
    for (const message of messages.values()) {
      void deps.track(forget(message, deps).catch((err) => failed(err, 'delete', deps)));
    }
  });
}

async function answer(
  message: AnyMessage,
  incoming: IncomingMessage,
  roots: Lru<string, string>,
  deps: MessageDeps,
  log: Logger,
): Promise<void> {
  const result = await deps.conversation.handle(incoming);
  if (result.status === 'duplicate') {
    deps.stats.duplicates += 1;
    log.info({ storedId: result.messageId }, 'discord duplicate delivery: not answered again');
    return;
  }
  if (result.status === 'ignored') {
    deps.stats.ignored += 1;
    log.debug({ reason: result.reason }, 'discord message not answered');
    return;
  }

  const channel = message.channel;
  if (!channel.isSendable()) {
    log.warn('discord channel does not take messages from Parley; reply dropped');
    return;
  }
  const sentIds = await sendParts(channel, replyPayloads(result, message.id));
  remember(result, incoming, sentIds, roots, deps);
  deps.stats.answered += 1;
  log.info(
    { storedId: result.messageId, kind: result.reply.kind, parts: sentIds.length },
    'discord reply posted',
  );
}

function remember(
  result: Replied,
  incoming: IncomingMessage,
  sentIds: string[],
  roots: Lru<string, string>,
  deps: MessageDeps,
): void {
  const root = result.reply.threadId ?? incoming.threadId ?? incoming.platformMessageId;
  for (const id of sentIds) roots.set(id, root);
  deps.answered.remember(result.messageId, {
    text: incoming.text,
    intent: result.prediction?.intent.name,
    entities: (result.prediction?.entities ?? []).map(({ type, start, end }) => ({
      type,
      start,
      end,
    })),
  });
}

/**
 * A Discord reply to one of Parley's answers continues that conversation: its root is the
 * message that started it. Threads are conversations already, and a DM is one conversation.
 * After a restart the root is read from the answer's own reference (one level up the chain).
 */
async function replyRoot(
  message: AnyMessage,
  view: MessageView,
  roots: Lru<string, string>,
  deps: MessageDeps,
): Promise<string | undefined> {
  if (view.isDirect || view.isThread || !view.referenceId) return undefined;
  if (view.repliedUserId !== deps.scope().botUserId) return undefined;

  const known = roots.get(view.referenceId);
  if (known) return known;
  try {
    const answerMessage = await message.fetchReference();
    return answerMessage.reference?.messageId;
  } catch (err) {
    deps.log.debug({ err: describeDiscordError(err) }, 'discord reply root not found');
    return undefined;
  }
}

async function forget(message: AnyMessage, deps: MessageDeps): Promise<void> {
  const inbound = messageDelete(viewOf(message), deps.scope());
  if (inbound.kind !== 'forget') {
    deps.log.debug({ messageId: message.id, reason: reasonOf(inbound) }, 'discord delete ignored');
    return;
  }
  await deps.conversation.forget(inbound.key);
  deps.stats.forgotten += 1;
  deps.log.info(
    { channel: inbound.key.channelId, messageId: inbound.key.platformMessageId },
    'discord deletion: stored text forgotten',
  );
}

function reasonOf(inbound: DiscordInbound): string {
  return inbound.kind === 'ignore' ? inbound.reason : inbound.kind;
}

function failed(err: unknown, what: string, deps: MessageDeps): void {
  deps.stats.failures += 1;
  deps.log.error(
    { err: describeDiscordError(err), event: what },
    'discord message handling failed',
  );
}
