/**
 * What Slack and Discord do alike around an admin command: run it without letting a throw
 * escape, wait for its first answer only as long as the platform's acknowledgement allows, and
 * settle its slow follow-up. The platform calls (acknowledge, reply, post) stay in each adapter.
 */
import { isParleyError } from '../core/errors.js';
import type { AdminContext, AdminHandler, AdminReply, ReportAttachment } from './types.js';

/** What a person is told when a command fails: our own message, or a pointer to the log. */
export function commandFailureText(err: unknown): string {
  if (isParleyError(err)) return err.message;
  return 'Parley could not run that command; the error is in the server log.';
}

/** The handler's reply; a thrown error becomes a failed reply for the person (and `onError`). */
export async function runAdminCommand(
  admin: AdminHandler,
  ctx: AdminContext,
  commandLine: string,
  onError: (err: unknown) => void,
): Promise<AdminReply> {
  try {
    return await admin.execute(ctx, commandLine);
  } catch (err) {
    onError(err);
    return { ok: false, text: commandFailureText(err) };
  }
}

/** The reply if it comes within `ms`, else undefined (the command keeps running). */
export function replyWithin(
  running: Promise<AdminReply>,
  ms: number,
): Promise<AdminReply | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([running, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Waits for a slow command's follow-up and answers its text, or the failure (also given to
 * `onError`). Returns the report to deliver, if the follow-up has one.
 */
export async function answerLater(
  later: NonNullable<AdminReply['later']>,
  answer: (text: string) => Promise<void>,
  onError: (err: unknown) => void,
): Promise<ReportAttachment | undefined> {
  let result: Awaited<typeof later>;
  try {
    result = await later;
  } catch (err) {
    onError(err);
    await answer(commandFailureText(err));
    return undefined;
  }
  await answer(result.text);
  return result.report;
}
