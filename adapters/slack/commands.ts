import type { App, RespondFn } from '@slack/bolt';
import { answerLater, replyWithin, runAdminCommand } from '../../src/admin/adapter-run.js';
import type { AdminContext, AdminHandler, AdminReply, ReportSink } from '../../src/admin/types.js';
import type { Logger } from '../../src/core/log.js';
import { describeSlackError } from './reply.js';
import type { Track } from '../../src/core/track.js';

export const COMMAND = '/parley';

/** Slack takes response_url posts for 30 minutes; a later answer after that goes to the channel. */
const RESPONSE_URL_TTL_MS = 29 * 60 * 1000;

export interface CommandDeps {
  admin: AdminHandler;
  /** User ids from SLACK_ADMIN_USERS. */
  admins: ReadonlySet<string>;
  /** Where slow results go when response_url has expired; reports go there too. */
  postToAdminChannel?: (text: string) => Promise<void>;
  reportSink?: ReportSink;
  /** How long to wait for the admin handler's first answer before acknowledging without it. */
  ackDeadlineMs: number;
  log: Logger;
  track: Track;
}

/**
 * `/parley <subcommand>`: the admin handler decides and audits; the adapter only says who asks
 * (isAdmin from SLACK_ADMIN_USERS) and keeps Slack's 3-second rule. Its immediate text goes in
 * the acknowledgement when it comes within `ackDeadlineMs`; otherwise a "working on it" goes
 * there and the text follows through response_url. `later` results follow the same way.
 */
export function registerAdminCommand(app: App, deps: CommandDeps): void {
  app.command(COMMAND, async ({ command, ack, respond }) => {
    const ctx: AdminContext = {
      platform: 'slack',
      userId: command.user_id,
      isAdmin: deps.admins.has(command.user_id),
      channelId: command.channel_id,
    };
    const log = deps.log.child({ userId: ctx.userId, isAdmin: ctx.isAdmin });
    const answer = answerer(respond, Date.now(), deps, log);

    const running = runAdminCommand(deps.admin, ctx, command.text.trim(), (err) =>
      log.error({ err: describeSlackError(err) }, 'slack admin command failed'),
    );
    const first = await replyWithin(running, deps.ackDeadlineMs);
    if (first) {
      await ack(ephemeral(first.text));
      if (first.later) await deps.track(followUp(first.later, answer, deps, log));
      return;
    }

    await ack(ephemeral('Working on it...'));
    await deps.track(
      running.then(async (reply) => {
        await answer(reply.text);
        if (reply.later) await followUp(reply.later, answer, deps, log);
      }),
    );
  });
}

async function followUp(
  later: NonNullable<AdminReply['later']>,
  answer: (text: string) => Promise<void>,
  deps: CommandDeps,
  log: Logger,
): Promise<void> {
  const report = await answerLater(later, answer, (err) =>
    log.error({ err: describeSlackError(err) }, 'slack admin command failed later'),
  );
  if (!report) return;
  if (deps.reportSink) {
    await deps.reportSink.postReport(report).catch((err: unknown) => {
      log.error({ err: describeSlackError(err), runId: report.runId }, 'slack report failed');
    });
    return;
  }
  await answer(
    `${report.headline.summary}\n(Set SLACK_ADMIN_CHANNEL to receive the chart and the full report.)`,
  );
}

/** Answers the person who ran the command: response_url while it is valid, else the channel. */
function answerer(respond: RespondFn, startedAt: number, deps: CommandDeps, log: Logger) {
  return async (text: string): Promise<void> => {
    if (Date.now() - startedAt < RESPONSE_URL_TTL_MS) {
      try {
        await respond({ response_type: 'ephemeral', replace_original: false, text });
        return;
      } catch (err) {
        log.warn({ err: describeSlackError(err) }, 'slack response_url post failed');
      }
    }
    if (deps.postToAdminChannel) {
      await deps.postToAdminChannel(text).catch((err: unknown) => {
        log.error({ err: describeSlackError(err) }, 'slack admin channel post failed');
      });
      return;
    }
    log.warn('slack admin answer dropped: response_url expired and no SLACK_ADMIN_CHANNEL');
  };
}

function ephemeral(text: string) {
  return { response_type: 'ephemeral' as const, text };
}
