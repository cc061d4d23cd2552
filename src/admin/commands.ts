import { isParleyError, ParleyError } from '../core/errors.js';
import { logger as componentLogger } from '../core/log.js';
import type { LaunchAnswer } from '../jobs/launcher.js';
import { shortRunId, type RunOutcome } from '../jobs/types.js';
import {
  formatFeedbackQueue,
  formatHelp,
  formatModels,
  formatRunLine,
  formatStats,
} from './format.js';
import { parseAdminCommand, type AdminCommand } from './parse.js';
import type { AdminDeps, AuditEntry } from './ports.js';
import type { AdminContext, AdminHandler, AdminReply, ReportAttachment } from './types.js';

/**
 * The admin commands, shared by every adapter and the command line. Each call is authorised
 * (only `ctx.isAdmin`), answered within `ackMs` (slow work answers "working on it" and settles
 * `later`), and written to the audit log whatever its outcome. Audit writes do not hold up the
 * answer; `settled()` waits for them.
 */

export const REFUSAL =
  'Sorry, only Parley admins can use admin commands. If you need one of them, ask an admin.';

export interface AdminCommandHandler extends AdminHandler {
  /** Resolves when every audit write started so far has finished. */
  settled(): Promise<void>;
}

type Outcome = { reply: AdminReply; audit: string };

export function createAdminHandler(deps: AdminDeps): AdminCommandHandler {
  const log = deps.logger ?? componentLogger('admin');
  const ackMs = deps.ackMs ?? 1_500;
  // Audit writes go one after another, so the log keeps the order the commands ended in.
  let writes: Promise<void> = Promise.resolve();

  function audit(ctx: AdminContext, entry: Omit<AuditEntry, 'platform' | 'userId'>): void {
    writes = writes.then(() =>
      deps.audit
        .record({ platform: ctx.platform, userId: ctx.userId, ...entry })
        .catch((err: unknown) => log.error({ err, command: entry.command }, 'audit write failed')),
    );
  }

  async function execute(ctx: AdminContext, commandLine: string): Promise<AdminReply> {
    const parsed = parseAdminCommand(commandLine);
    const command = parsed.word || '(empty)';
    if (!ctx.isAdmin) {
      log.info({ platform: ctx.platform, user: ctx.userId, command }, 'admin command refused');
      audit(ctx, { command, args: parsed.args, allowed: false, outcome: 'refused: not an admin' });
      return { ok: false, text: REFUSAL };
    }
    if (!parsed.ok) {
      audit(ctx, { command, args: parsed.args, allowed: true, outcome: `error: ${parsed.error}` });
      return { ok: false, text: parsed.error };
    }

    const work = run(ctx, parsed.command).catch((err: unknown) => failure(err, command));
    void work.then((o) =>
      audit(ctx, { command, args: parsed.args, allowed: true, outcome: o.audit }),
    );
    return answerWithin(work, command);
  }

  async function answerWithin(work: Promise<Outcome>, command: string): Promise<AdminReply> {
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ackMs);
    });
    const first = await Promise.race([work, slow]).finally(() => clearTimeout(timer));
    if (first) return first.reply;
    return {
      ok: true,
      text: `Working on \`${command}\`; the answer follows.`,
      later: work.then(({ reply }) => reply.later ?? { text: reply.text }),
    };
  }

  function failure(err: unknown, command: string): Outcome {
    if (isParleyError(err) && ['NOT_FOUND', 'CONFLICT', 'BAD_REQUEST'].includes(err.code)) {
      return { reply: { ok: false, text: err.message }, audit: `error: ${err.message}` };
    }
    log.error({ err, command }, 'admin command failed');
    const reason = err instanceof Error ? err.message : String(err);
    return {
      reply: { ok: false, text: `\`${command}\` failed: ${reason}` },
      audit: `error: ${reason}`,
    };
  }

  async function run(ctx: AdminContext, command: AdminCommand): Promise<Outcome> {
    const by = `${ctx.platform}:${ctx.userId}`;
    switch (command.name) {
      case 'help':
        return done(formatHelp());
      case 'retrain':
        return retrain(ctx, by);
      case 'report':
        return report(command.run);
      case 'models':
        return done(formatModels(await deps.models.list()));
      case 'promote':
        return promoted(await deps.models.promote(command.version, by));
      case 'rollback':
        return promoted(await deps.models.rollback(by, command.version));
      case 'feedback':
        return feedback(command, by);
      case 'stats':
        return done(formatStats(await deps.stats()));
    }
  }

  async function retrain(ctx: AdminContext, by: string): Promise<Outcome> {
    const trigger = ctx.platform === 'cli' ? 'cli' : 'command';
    const answer = await deps.launcher.request({ trigger, requestedBy: by });
    return retrainReply(answer);
  }

  async function report(ref?: string): Promise<Outcome> {
    const found = await deps.runs.report(ref);
    if (!found) {
      const text =
        ref === undefined
          ? 'No retraining run has finished yet.'
          : `No run matches \`${ref}\`; a run id is the hex id shown when it started.`;
      throw new ParleyError('NOT_FOUND', text);
    }
    const line = formatRunLine(found.run);
    if (!found.report) return done(line, `ok: run ${found.run.runId}`);
    const attachment = found.report;
    return {
      reply: {
        ok: true,
        text: `${line}\nThe full report follows.`,
        later: Promise.resolve({ text: attachment.headline.summary, report: attachment }),
      },
      audit: `ok: run ${found.run.runId}`,
    };
  }

  async function feedback(
    command: Extract<AdminCommand, { name: 'feedback' }>,
    by: string,
  ): Promise<Outcome> {
    if (command.action === 'list') return done(formatFeedbackQueue(await deps.feedback.queue(10)));

    const item = await deps.feedback.find(command.id);
    const short = item.id.slice(0, 8);
    if (command.action === 'correct') {
      const intents = deps.intents();
      if (!intents.includes(command.intent)) {
        throw new ParleyError(
          'BAD_REQUEST',
          `\`${command.intent}\` is not an intent of the active model; use one of: ${intents.join(', ')}.`,
        );
      }
      await deps.feedback.correct(item.id, command.intent, by);
      return done(`Feedback ${short} is now a correction to \`${command.intent}\`, accepted.`);
    }
    if (command.action === 'accept' && item.kind === 'down') {
      throw new ParleyError(
        'BAD_REQUEST',
        `Feedback ${short} is a thumbs-down without the right answer, so there is nothing to ` +
          `train on. Label it with \`feedback correct ${short} INTENT\`, or reject it.`,
      );
    }
    const status = command.action === 'accept' ? 'accepted' : 'rejected';
    await deps.feedback.setStatus(item.id, status, by);
    return done(`Feedback ${short} ${status}.`);
  }

  return {
    execute,
    async settled() {
      let last: Promise<void> | undefined;
      while (last !== writes) {
        last = writes;
        await last;
      }
    },
  };
}

function done(text: string, audit = 'ok'): Outcome {
  return { reply: { ok: true, text }, audit };
}

function promoted(result: Awaited<ReturnType<AdminDeps['models']['promote']>>): Outcome {
  if (result.kind === 'already-active') {
    return done(`${result.version} is already the active model; nothing changed.`, 'ok: no change');
  }
  const from = result.from ? ` (was ${result.from})` : '';
  return done(
    `${result.to} is now the active model${from}. Every instance switches to it.`,
    `ok: ${result.from ?? 'none'} -> ${result.to}`,
  );
}

function retrainReply(answer: LaunchAnswer): Outcome {
  switch (answer.kind) {
    case 'started': {
      const id = shortRunId(answer.runId);
      return {
        reply: {
          ok: true,
          text: `Retraining run #${id} started. I will post the result when it ends.`,
          later: answer.done.then(outcomeMessage),
        },
        audit: `ok: started run ${answer.runId}`,
      };
    }
    case 'busy': {
      const which = answer.runId ? ` (run #${shortRunId(answer.runId)})` : '';
      return done(
        `A retraining run is already in progress${which}; no second run was started. ` +
          'Its result is posted when it ends.',
        'ok: a run is in progress',
      );
    }
    case 'queued':
      return {
        reply: {
          ok: true,
          text: 'Retraining requested; the run is starting and its result follows.',
          later: answer.done.then(outcomeMessage),
        },
        audit: 'ok: requested',
      };
    case 'finished':
      return {
        reply: {
          ok: answer.outcome.status !== 'failed',
          text: outcomeMessage(answer.outcome).text,
        },
        audit: `ok: ${answer.outcome.status}`,
      };
  }
}

/** The follow-up message for a finished run. */
export function outcomeMessage(outcome: RunOutcome): { text: string; report?: ReportAttachment } {
  if (outcome.skip === 'locked' || outcome.skip === 'slot-taken') {
    return { text: 'Another retraining run was in progress, so no new run was started.' };
  }
  const id = outcome.runId ? `Run #${shortRunId(outcome.runId)}` : 'The run';
  const summary = outcome.report?.headline.summary ?? outcome.reason;
  const text = `${id} ${verb(outcome)}: ${summary}`;
  return outcome.report ? { text, report: outcome.report } : { text };
}

function verb(outcome: RunOutcome): string {
  switch (outcome.decision) {
    case 'promoted':
      return `promoted ${outcome.candidateVersion ?? 'its candidate'}`;
    case 'rejected':
      return 'did not promote its candidate';
    case 'skipped':
      return 'was skipped';
    case 'failed':
      return 'failed';
  }
}
