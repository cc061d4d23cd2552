import type { App, BlockAction, ButtonAction, ViewSubmitAction, webApi } from '@slack/bolt';
import type { FeedbackHandler, FeedbackInput } from '../../src/conversation/types.js';
import { feedbackFailureText } from '../../src/conversation/feedback.js';
import type { Logger } from '../../src/core/log.js';
import {
  ACTION_DOWN,
  ACTION_FIX,
  ACTION_UP,
  decodeRef,
  feedbackNote,
  readReplyBlocks,
  replyBlocks,
} from './blocks.js';
import { decodeMeta, FIX_VIEW, fixView, readFixSubmission, type FixMeta } from './modal.js';
import { describeSlackError } from './reply.js';
import type { Track } from '../../src/core/track.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

export interface FeedbackDeps {
  feedback: FeedbackHandler;
  client: WebClient;
  log: Logger;
  track: Track;
}

/** Where Parley's reply sits, and who pressed something on it. */
interface ReplySpot {
  channel: string;
  ts: string;
  threadTs?: string;
  userId: string;
}

/**
 * Thumbs up, thumbs down and "fix" on a reply. Every handler acknowledges first (Slack's 3 s)
 * and then records the feedback and redraws the reply with a note that it was recorded.
 */
export function registerFeedbackListeners(app: App, deps: FeedbackDeps): void {
  for (const [actionId, kind] of [
    [ACTION_UP, 'up'],
    [ACTION_DOWN, 'down'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      await deps.track(onThumb(kind, body, action.value, deps));
    });
  }

  app.action<BlockAction<ButtonAction>>(ACTION_FIX, async ({ ack, body, action }) => {
    await ack();
    await deps.track(openFixModal(body, action.value, deps));
  });

  app.view<ViewSubmitAction>(FIX_VIEW, async ({ ack, body, view }) => {
    const meta = decodeMeta(view.private_metadata);
    if (!meta) {
      await ack();
      deps.log.warn('slack fix modal without readable metadata');
      return;
    }

    const result = readFixSubmission(view.state.values, meta, deps.feedback.intents());
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }

    await ack();
    const input: FeedbackInput = {
      messageId: meta.ref.m,
      userId: body.user.id,
      kind: 'correction',
      intent: result.intent,
      ...(result.entities ? { entities: result.entities } : {}),
    };
    const spot = { channel: meta.c, ts: meta.ts, threadTs: meta.th, userId: body.user.id };
    await deps.track(
      recordAndShow(input, spot, meta.r && { sections: meta.r, ref: meta.ref }, deps),
    );
  });
}

async function onThumb(
  kind: 'up' | 'down',
  body: BlockAction<ButtonAction>,
  value: string | undefined,
  deps: FeedbackDeps,
): Promise<void> {
  const ref = decodeRef(value);
  const spot = replySpot(body);
  if (!ref || !spot) {
    deps.log.warn({ action: kind }, 'slack feedback button without a readable value');
    return;
  }
  const input: FeedbackInput = { messageId: ref.m, userId: spot.userId, kind };
  await recordAndShow(input, spot, readReplyBlocks(body.message?.blocks), deps);
}

async function openFixModal(
  body: BlockAction<ButtonAction>,
  value: string | undefined,
  deps: FeedbackDeps,
): Promise<void> {
  const ref = decodeRef(value);
  const spot = replySpot(body);
  if (!ref || !spot) {
    deps.log.warn('slack fix button without a readable value');
    return;
  }

  const drawn = readReplyBlocks(body.message?.blocks);
  const meta: FixMeta = {
    ref,
    c: spot.channel,
    ts: spot.ts,
    th: spot.threadTs,
    r: drawn?.sections,
  };
  try {
    // trigger_id is valid for 3 s after the click: the modal opens before anything else.
    await deps.client.views.open({
      trigger_id: body.trigger_id,
      view: fixView(meta, deps.feedback.intents(), deps.feedback.entityTypes()),
    });
  } catch (err) {
    deps.log.error({ err: describeSlackError(err) }, 'slack views.open failed');
  }
}

async function recordAndShow(
  input: FeedbackInput,
  spot: ReplySpot,
  drawn: { sections: string[]; ref: ReturnType<typeof decodeRef> } | undefined,
  deps: FeedbackDeps,
): Promise<void> {
  const log = deps.log.child({ channel: spot.channel, replyTs: spot.ts, kind: input.kind });
  let saved: boolean;
  try {
    ({ saved } = await deps.feedback.record(input));
  } catch (err) {
    log.warn({ err: describeSlackError(err) }, 'slack feedback not recorded');
    await tellUser(spot, feedbackFailureText(err), deps);
    return;
  }

  const note = feedbackNote(input.kind, spot.userId, saved);
  if (!drawn?.ref) {
    await tellUser(spot, note, deps);
    return;
  }
  try {
    await deps.client.chat.update({
      channel: spot.channel,
      ts: spot.ts,
      text: unescapeMrkdwn(drawn.sections.join('')),
      blocks: replyBlocks(drawn.sections, drawn.ref, note),
    });
    log.info('slack feedback recorded');
  } catch (err) {
    log.warn({ err: describeSlackError(err) }, 'slack chat.update after feedback failed');
  }
}

function replySpot(body: BlockAction<ButtonAction>): ReplySpot | undefined {
  const channel = body.channel?.id ?? (body.container.channel_id as string | undefined);
  const ts = body.message?.ts ?? (body.container.message_ts as string | undefined);
  if (!channel || !ts) return undefined;
  const threadTs = body.message?.thread_ts as string | undefined;
  return { channel, ts, threadTs, userId: body.user.id };
}

async function tellUser(spot: ReplySpot, text: string, deps: FeedbackDeps): Promise<void> {
  try {
    await deps.client.chat.postEphemeral({
      channel: spot.channel,
      user: spot.userId,
      text,
      ...(spot.threadTs ? { thread_ts: spot.threadTs } : {}),
    });
  } catch (err) {
    deps.log.warn({ err: describeSlackError(err) }, 'slack chat.postEphemeral failed');
  }
}

function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
