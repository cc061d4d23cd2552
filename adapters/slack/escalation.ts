import type { webApi } from '@slack/bolt';
import type { EscalationNotice, EscalationNotifier } from '../../src/conversation/types.js';
import type { Logger } from '../../src/core/log.js';
import { postOnce } from './reply.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

/** `slack:C0123` names a Slack channel; anything else is another adapter's target. */
export function slackEscalationChannel(target: string | undefined): string | undefined {
  const match = /^slack:([^\s:]+)$/.exec(target ?? '');
  return match?.[1];
}

/**
 * Hand-off notices in the escalation channel. Ids only, as the notice carries no customer text:
 * a Slack conversation is named with channel and user mentions and the thread's ts, so a person
 * can open it; one from another platform is named by its ids.
 */
export function createSlackEscalationNotifier(deps: {
  postClient: WebClient;
  channel: string;
  log: Logger;
}): EscalationNotifier {
  return {
    async notify(notice: EscalationNotice): Promise<void> {
      const text = noticeText(notice);
      await postOnce(deps.postClient, { channel: deps.channel, text }, deps.log);
    },
  };
}

/** One bot token serves one workspace, so a Slack notice is from the workspace it goes to. */
export function noticeText(notice: EscalationNotice): string {
  const why = notice.reason === 'request' ? 'asked for a person' : 'Parley could not answer twice';
  const thread = notice.threadId ? `, thread ${notice.threadId}` : '';
  const where =
    notice.platform === 'slack'
      ? `<@${notice.userId}> in <#${notice.channelId}>${thread}`
      : `${notice.platform} user ${notice.userId} in ${notice.workspaceId}/${notice.channelId}${thread}`;
  return `:raising_hand: Hand-off (${why}): ${where}. Conversation ${notice.conversationId}.`;
}
