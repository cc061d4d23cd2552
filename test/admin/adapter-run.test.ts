import { describe, expect, it } from 'vitest';
import {
  answerLater,
  commandFailureText,
  replyWithin,
  runAdminCommand,
} from '../../src/admin/adapter-run.js';
import type { AdminHandler } from '../../src/admin/types.js';
import { ParleyError } from '../../src/core/errors.js';

const ctx = { platform: 'cli' as const, userId: 'u', isAdmin: true };

describe('adapter command runner', () => {
  it('turns a throw into a failed reply: our message for a ParleyError, the log otherwise', async () => {
    const errors: unknown[] = [];
    const throwing = (err: Error): AdminHandler => ({ execute: () => Promise.reject(err) });
    const ours = await runAdminCommand(
      throwing(new ParleyError('NOT_FOUND', 'No model v9.')),
      ctx,
      'promote v9',
      (e) => errors.push(e),
    );
    expect(ours).toEqual({ ok: false, text: 'No model v9.' });
    const other = await runAdminCommand(throwing(new Error('boom')), ctx, 'x', (e) =>
      errors.push(e),
    );
    expect(other.text).toBe(commandFailureText(new Error('boom')));
    expect(other.text).toMatch(/error is in the server log/);
    expect(errors).toHaveLength(2);
  });

  it('gives the reply that comes in time, and undefined for one that comes later', async () => {
    const soon = Promise.resolve({ ok: true, text: 'done' });
    expect(await replyWithin(soon, 50)).toEqual({ ok: true, text: 'done' });
    const late = new Promise<{ ok: boolean; text: string }>((resolve) =>
      setTimeout(() => resolve({ ok: true, text: 'late' }), 200),
    );
    expect(await replyWithin(late, 20)).toBeUndefined();
  });

  it('answers a follow-up and returns its report; answers a failed one with the failure', async () => {
    const answers: string[] = [];
    const answer = async (text: string) => void answers.push(text);
    const report = {
      runId: 'r1',
      markdown: '# report',
      headline: { verdict: 'promoted' as const, summary: 'v2 promoted' },
    };
    expect(
      await answerLater(Promise.resolve({ text: 'Retrained.', report }), answer, () => {}),
    ).toBe(report);
    const errors: unknown[] = [];
    const failed = Promise.reject(new ParleyError('CONFLICT', 'A retrain is already running.'));
    expect(await answerLater(failed, answer, (e) => errors.push(e))).toBeUndefined();
    expect(answers).toEqual(['Retrained.', 'A retrain is already running.']);
    expect(errors).toHaveLength(1);
  });
});
