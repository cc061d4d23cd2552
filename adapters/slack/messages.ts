import type { App } from '@slack/bolt';
import type { ConversationHandler } from '../../src/conversation/types.js';
import type { Logger } from '../../src/core/log.js';
import { describeSlackError, postOnce, replyArgs } from './reply.js';
import { toSlackInbound, type SlackMessageEvent, type SlackScope } from './to-message.js';
import type { Track } from '../../src/core/track.js';
import type { webApi } from '@slack/bolt';

type WebClient = InstanceType<typeof webApi.WebClient>;

export interface MessageDeps {
  conversation: ConversationHandler;
  /** The client for chat.postMessage: no automatic retries (see reply.ts). */
  postClient: WebClient;
  channels: ReadonlySet<string>;
  log: Logger;
  track: Track;
}

/** `message` (DMs, configured channels, edits, deletions) and `app_mention` (mentions anywhere). */
export function registerMessageListeners(app: App, deps: MessageDeps): void {
  for (const eventName of ['message', 'app_mention'] as const) {
    app.event(eventName, async ({ event, body, context }) => {
      const scope: SlackScope = {
        teamId: String(body.team_id ?? context.teamId ?? ''),
        botUserId: context.botUserId ?? '',
        botId: context.botId,
        channels: deps.channels,
      };
      const where = { eventId: body.event_id, retryNum: context.retryNum };
      await deps.track(onMessageEvent(event as unknown as SlackMessageEvent, scope, where, deps));
    });
  }
}

async function onMessageEvent(
  event: SlackMessageEvent,
  scope: SlackScope,
  where: { eventId?: string; retryNum?: number },
  deps: MessageDeps,
): Promise<void> {
  const log = deps.log.child({ channel: event.channel, ts: event.ts, ...where });
  const inbound = toSlackInbound(event, scope, new Date());

  try {
    if (inbound.kind === 'ignore') {
      log.debug({ reason: inbound.reason }, 'slack event ignored');
      return;
    }
    if (inbound.kind === 'forget') {
      await deps.conversation.forget(inbound.key);
      log.info(
        { deletedTs: inbound.key.platformMessageId },
        'slack deletion: stored text forgotten',
      );
      return;
    }

    const result = await deps.conversation.handle(inbound.message);
    if (result.status === 'duplicate') {
      log.info({ messageId: result.messageId }, 'slack duplicate delivery: not answered again');
      return;
    }
    if (result.status === 'ignored') {
      log.debug({ reason: result.reason }, 'slack message not answered');
      return;
    }

    const args = replyArgs(inbound.message, inbound.replyThreadTs, result);
    const replyTs = await postOnce(deps.postClient, args, log);
    log.info(
      { messageId: result.messageId, kind: result.reply.kind, replyTs },
      'slack reply posted',
    );
  } catch (err) {
    log.error({ err: describeSlackError(err) }, 'slack message handling failed');
  }
}
