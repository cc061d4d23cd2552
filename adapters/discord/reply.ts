import { DiscordAPIError, type MessageCreateOptions, type SendableChannels } from 'discord.js';
import type { HandleResult } from '../../src/conversation/types.js';
import { feedbackRow, splitMessage } from './components.js';

type Replied = Extract<HandleResult, { status: 'replied' }>;

/** Discord's cap on a message nonce (characters). */
const NONCE_LIMIT = 25;

/**
 * The Discord messages for one reply: in the same channel (a thread is a channel of its own, so
 * a thread message is answered in the thread), as a Discord reply to the customer's message, with
 * the feedback buttons under the last part. A prompt ("How can I help?") answers a bare mention:
 * there is nothing to judge, so it has no buttons.
 *
 * Each part carries a nonce derived from the customer's message with `enforce_nonce`: Discord
 * then returns the message it already has instead of posting a copy, so the REST client's retries
 * (on a timeout or a 5xx) never double a reply.
 */
export function replyPayloads(result: Replied, sourceMessageId: string): MessageCreateOptions[] {
  const parts = splitMessage(result.reply.text);
  const buttons = result.reply.kind === 'prompt' ? undefined : feedbackRow(result.messageId);

  return parts.map((content, index) => {
    const last = index === parts.length - 1;
    return {
      content,
      allowedMentions: { parse: [], repliedUser: false },
      nonce: nonceFor(sourceMessageId, index),
      enforceNonce: true,
      ...(index === 0
        ? { reply: { messageReference: sourceMessageId, failIfNotExists: false } }
        : {}),
      ...(last && buttons ? { components: [buttons] } : {}),
    };
  });
}

export function nonceFor(sourceId: string, index: number): string {
  return `${sourceId}.${index}`.slice(-NONCE_LIMIT);
}

/** Posts the parts in order; resolves to the ids of the posted messages. */
export async function sendParts(
  channel: SendableChannels,
  parts: readonly MessageCreateOptions[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const part of parts) {
    const sent = await channel.send(part);
    ids.push(sent.id);
  }
  return ids;
}

/** A one-line description of a Discord failure for logs: status and code, never a body. */
export function describeDiscordError(err: unknown): {
  status?: number;
  code?: number | string;
  message: string;
} {
  if (err instanceof DiscordAPIError) {
    return { status: err.status, code: err.code, message: err.message };
  }
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: string | number }).code;
  return { ...(code === undefined ? {} : { code }), message: err.message };
}
