import { webApi } from '@slack/bolt';
import type { HandleResult, IncomingMessage } from '../../src/conversation/types.js';
import type { Logger } from '../../src/core/log.js';
import { replyBlocks, replySections, type FeedbackRef } from './blocks.js';

type WebClient = InstanceType<typeof webApi.WebClient>;
type Replied = Extract<HandleResult, { status: 'replied' }>;
export type PostMessageArgs = Parameters<WebClient['chat']['postMessage']>[0];

/** How often a rate-limited post waits and tries again; a 429 means Slack did not post it. */
const RATE_LIMIT_WAITS = 3;

/** The chat.postMessage call for a reply: in the thread, with the feedback buttons. */
export function replyArgs(
  message: IncomingMessage,
  replyThreadTs: string | undefined,
  result: Replied,
) {
  const { reply } = result;
  const threadTs = reply.threadId ?? replyThreadTs;
  const base = {
    channel: message.channelId,
    text: reply.text,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  };

  // A prompt answers a bare mention: there is no text to judge or correct, so no buttons.
  if (reply.kind === 'prompt') return base as PostMessageArgs;

  const ref: FeedbackRef = {
    m: result.messageId,
    t: message.text,
    i: result.prediction?.intent.name,
    e: result.prediction?.entities.map((e) => [e.type, e.start, e.end] as [string, number, number]),
  };
  return { ...base, blocks: replyBlocks(replySections(reply.text), ref) } as PostMessageArgs;
}

/**
 * chat.postMessage is not idempotent: when a post times out, Slack may have posted it anyway, so
 * only a 429 (which Slack answers before posting) is tried again, after its Retry-After. The
 * client given here has web-api's own retries off and `rejectRateLimitedCalls` on.
 */
export async function postOnce(client: WebClient, args: PostMessageArgs, log: Logger) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const result = await client.chat.postMessage(args);
      return result.ts;
    } catch (err) {
      const retryAfterS = rateLimitedFor(err);
      if (retryAfterS === undefined || attempt >= RATE_LIMIT_WAITS) throw err;
      log.warn({ channel: args.channel, retryAfterS }, 'chat.postMessage rate limited; waiting');
      await new Promise((resolve) => setTimeout(resolve, retryAfterS * 1000));
    }
  }
}

function rateLimitedFor(err: unknown): number | undefined {
  return err instanceof webApi.WebAPIRateLimitedError ? err.retryAfter : undefined;
}

/** A one-line description of a Web API failure for logs: code and Slack's error, no bodies. */
export function describeSlackError(err: unknown): {
  code?: string;
  error?: string;
  message: string;
} {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: string }).code;
  const data = (err as { data?: { error?: string } }).data;
  return { code, error: data?.error, message: err.message };
}
