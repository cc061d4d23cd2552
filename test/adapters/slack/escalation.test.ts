import { afterEach, describe, expect, it } from 'vitest';
import { noticeText, slackEscalationChannel } from '../../../adapters/slack/escalation.js';
import type { EscalationNotice } from '../../../src/conversation/types.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const notice: EscalationNotice = {
  reason: 'fallbacks',
  target: 'slack:C_ESCALATE',
  platform: 'slack',
  workspaceId: 'T_FAKE',
  channelId: 'C_SUPPORT',
  threadId: '1700000200.000300',
  userId: 'U_A',
  conversationId: 'c0ffee00-0000-4000-8000-000000000001',
  messageId: 'c0ffee00-0000-4000-8000-000000000002',
};

describe('hand-off notices', () => {
  it('reads the Slack channel from PARLEY_ESCALATION_TARGET', () => {
    expect(slackEscalationChannel('slack:C0123')).toBe('C0123');
    expect(slackEscalationChannel('discord:123')).toBeUndefined();
    expect(slackEscalationChannel(undefined)).toBeUndefined();
  });

  it('names a Slack conversation with mentions and the thread, and another platform by ids', () => {
    expect(noticeText(notice)).toBe(
      ':raising_hand: Hand-off (Parley could not answer twice): <@U_A> in <#C_SUPPORT>, thread 1700000200.000300. Conversation c0ffee00-0000-4000-8000-000000000001.',
    );
    expect(
      noticeText({ ...notice, platform: 'discord', reason: 'request', threadId: undefined }),
    ).toBe(
      ':raising_hand: Hand-off (asked for a person): discord user U_A in T_FAKE/C_SUPPORT. Conversation c0ffee00-0000-4000-8000-000000000001.',
    );
  });

  it('posts the notice to the escalation channel', async () => {
    h = await startHarness({ env: { PARLEY_ESCALATION_TARGET: 'slack:C_ESCALATE' } });
    await h.adapter.escalationNotifier?.notify(notice);
    expect(h.fake.callsTo('chat.postMessage').map((c) => [c.args.channel, c.args.text])).toEqual([
      ['C_ESCALATE', noticeText(notice)],
    ]);
  });

  it('offers no notifier when the target is another platform', async () => {
    h = await startHarness({ env: { PARLEY_ESCALATION_TARGET: 'discord:123' } });
    expect(h.adapter.escalationNotifier).toBeUndefined();
  });
});
