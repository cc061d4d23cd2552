import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAdminHandler, REFUSAL } from '../../src/admin/commands.js';
import type { AdminContext } from '../../src/admin/types.js';
import type { RunOutcome } from '../../src/jobs/types.js';
import { fakeAdmin, skipped } from './fake-deps.js';

const admin: AdminContext = { platform: 'slack', userId: 'U_ADMIN', isAdmin: true };
const customer: AdminContext = { platform: 'slack', userId: 'U_CUSTOMER', isAdmin: false };

const EVERY_COMMAND = [
  'retrain',
  'report',
  'report 0badc0de',
  'models',
  'promote v1',
  'rollback',
  'rollback v1',
  'feedback',
  'feedback list',
  'feedback accept 5e6f7a8b',
  'feedback reject 5e6f7a8b',
  'feedback correct 1a2b3c4d greet',
  'stats',
  'help',
];

afterEach(() => {
  vi.useRealTimers();
});

describe('admin command authorization', () => {
  it.each(EVERY_COMMAND)(
    'refuses `%s` to a non-admin, changes nothing, audits it',
    async (line) => {
      const fake = fakeAdmin({
        run: async () => {
          throw new Error('a refused command must not start a run');
        },
      });
      const handler = createAdminHandler(fake.deps);

      const reply = await handler.execute(customer, line);
      await handler.settled();

      expect(reply).toEqual({ ok: false, text: REFUSAL });
      expect(fake.promotions).toEqual([]);
      expect(fake.queue.map((i) => i.status)).toEqual(['pending', 'pending']);
      expect(fake.audit).toEqual([
        {
          platform: 'slack',
          userId: 'U_CUSTOMER',
          command: line.split(' ')[0],
          args: line.split(' ').slice(1).join(' '),
          allowed: false,
          outcome: 'refused: not an admin',
        },
      ]);
    },
  );

  it.each(EVERY_COMMAND)('runs `%s` for an admin and audits it as allowed', async (line) => {
    const fake = fakeAdmin();
    const handler = createAdminHandler(fake.deps);
    const reply = await handler.execute(admin, line);
    await handler.settled();

    expect(reply.text.length).toBeGreaterThan(0);
    expect(fake.audit).toHaveLength(1);
    expect(fake.audit[0]).toMatchObject({ userId: 'U_ADMIN', allowed: true });
  });

  it('refuses an unknown command politely to a non-admin too, and audits it', async () => {
    const fake = fakeAdmin();
    const handler = createAdminHandler(fake.deps);
    expect(await handler.execute(customer, 'drop tables')).toEqual({ ok: false, text: REFUSAL });
    await handler.settled();
    expect(fake.audit[0]).toMatchObject({ command: 'drop', allowed: false });
  });
});

describe('admin commands', () => {
  it('answers `retrain` at once with the run id while training takes a minute (C17)', async () => {
    let finish: (o: RunOutcome) => void = () => undefined;
    const fake = fakeAdmin({
      run: ({ onStarted }) => {
        onStarted('7f3e2d1c-0000-4000-8000-000000000000');
        return new Promise((resolve) => (finish = resolve));
      },
    });
    const handler = createAdminHandler(fake.deps);

    const started = performance.now();
    const reply = await handler.execute(admin, '/parley retrain');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(reply.ok).toBe(true);
    expect(reply.text).toContain('#7f3e2d1c started');
    expect(reply.later).toBeDefined();

    finish({ ...skipped('7f3e2d1c-0000-4000-8000-000000000000'), reason: 'nothing new' });
    await expect(reply.later).resolves.toEqual({
      text: 'Run #7f3e2d1c was skipped: nothing new',
    });
  });

  it('answers `retrain` within the acknowledgement window when the lock query takes 5 s', async () => {
    vi.useFakeTimers();
    const fake = fakeAdmin({
      run: async ({ onStarted }) => {
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        onStarted('7f3e2d1c-0000-4000-8000-000000000000');
        return skipped('7f3e2d1c-0000-4000-8000-000000000000');
      },
    });
    const handler = createAdminHandler(fake.deps);
    const reply = handler.execute(admin, 'retrain');
    await vi.advanceTimersByTimeAsync(1_000);
    const answer = await reply;
    expect(answer.text).toBe('Retraining requested; the run is starting and its result follows.');
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(answer.later).resolves.toMatchObject({ text: expect.stringContaining('skipped') });
  });

  it('gives one run for two `retrain` commands 1 s apart and tells the second a run is on', async () => {
    vi.useFakeTimers();
    let runs = 0;
    const fake = fakeAdmin({
      run: ({ onStarted }) => {
        runs++;
        onStarted('7f3e2d1c-0000-4000-8000-000000000000');
        return new Promise((resolve) => setTimeout(() => resolve(skipped(null)), 60_000));
      },
    });
    const handler = createAdminHandler(fake.deps);
    const first = await handler.execute(admin, 'retrain');
    await vi.advanceTimersByTimeAsync(1_000);
    const second = await handler.execute({ ...admin, userId: 'U_OTHER' }, 'retrain');

    expect(runs).toBe(1);
    expect(first.text).toContain('started');
    expect(second.text).toContain('already in progress (run #7f3e2d1c)');
    await vi.advanceTimersByTimeAsync(60_000);
    await handler.settled();
    expect(fake.audit.map((a) => a.outcome)).toEqual([
      'ok: started run 7f3e2d1c-0000-4000-8000-000000000000',
      'ok: a run is in progress',
    ]);
  });

  it('tells the caller a run is in progress when another instance holds the lock', async () => {
    const fake = fakeAdmin({ run: async () => ({ ...skipped(null), skip: 'locked' }) });
    const reply = await createAdminHandler(fake.deps).execute(admin, 'retrain');
    expect(reply.text).toContain('already in progress');
  });

  it.each([
    ['rollback v999', 'There is no model v999'],
    ['promote v999', 'There is no model v999'],
  ])('answers `%s` at once with an error and changes nothing (C17)', async (line, message) => {
    const fake = fakeAdmin();
    const reply = await createAdminHandler(fake.deps).execute(admin, line);
    expect(reply.ok).toBe(false);
    expect(reply.text).toContain(message);
    expect(reply.later).toBeUndefined();
    expect(fake.promotions).toEqual([]);
    expect(fake.models.find((m) => m.status === 'active')?.version).toBe('v2');
  });

  it('promotes and rolls back, saying what was active before', async () => {
    const fake = fakeAdmin();
    const handler = createAdminHandler(fake.deps);
    expect((await handler.execute(admin, 'rollback')).text).toBe(
      'v1 is now the active model (was v2). Every instance switches to it.',
    );
    expect((await handler.execute(admin, 'promote 2')).text).toContain('v2 is now the active');
    expect((await handler.execute(admin, 'promote v2')).text).toContain('already the active');
    expect(fake.promotions).toEqual(['slack:U_ADMIN:v1', 'slack:U_ADMIN:v2']);
  });

  it.each([
    ['promote', 'Usage: `promote VERSION`'],
    ['promote latest', 'Usage: `promote VERSION`'],
    ['feedback accept', 'Usage: `feedback [list]`'],
    ['models all', '`models` takes no arguments.'],
    ['frobnicate', 'Unknown command `frobnicate`'],
  ])('explains the usage of `%s`', async (line, message) => {
    const reply = await createAdminHandler(fakeAdmin().deps).execute(admin, line);
    expect(reply.ok).toBe(false);
    expect(reply.text).toContain(message);
  });

  it('works the review queue: list, refuse to accept a bare thumbs-down, correct it', async () => {
    const fake = fakeAdmin();
    const handler = createAdminHandler(fake.deps);

    const list = await handler.execute(admin, 'feedback');
    expect(list.text).toContain('1a2b3c4d  thumbs-down  `where is my parcel`  (predicted greet)');

    const accept = await handler.execute(admin, 'feedback accept 1a2b3c4d');
    expect(accept.ok).toBe(false);
    expect(accept.text).toContain('feedback correct 1a2b3c4d INTENT');

    const wrong = await handler.execute(admin, 'feedback correct 1a2b3c4d parcel_magic');
    expect(wrong.ok).toBe(false);
    expect(wrong.text).toContain('not an intent of the active model');

    const fix = await handler.execute(admin, 'feedback correct 1a2b3c4d order_status');
    expect(fix.text).toBe('Feedback 1a2b3c4d is now a correction to `order_status`, accepted.');
    expect(fake.queue[0]).toMatchObject({ status: 'accepted', correctedIntent: 'order_status' });

    await handler.execute(admin, 'feedback reject 5e6f7a8b');
    expect(fake.queue[1].status).toBe('rejected');
    expect((await handler.execute(admin, 'feedback accept ffff')).text).toContain(
      'No feedback matches',
    );
  });

  it('shows the latest report with its attachment in the follow-up', async () => {
    const fake = fakeAdmin();
    const report = {
      runId: '0badc0de-0000-4000-8000-000000000000',
      markdown: '# Retraining report',
      headline: { verdict: 'rejected' as const, summary: 'Not promoted: intent-f1 failed.' },
    };
    fake.runs.push({
      run: {
        runId: report.runId,
        trigger: 'schedule',
        requestedBy: null,
        status: 'rejected',
        decision: 'rejected',
        reason: 'intent-f1 failed',
        createdAt: new Date('2026-03-10T03:00:00Z'),
        endedAt: new Date('2026-03-10T03:02:00Z'),
        candidateVersion: 'v3',
      },
      report,
    });
    const reply = await createAdminHandler(fake.deps).execute(admin, 'report');
    expect(reply.text).toContain(
      'Run #0badc0de (schedule, 2026-03-10 03:00 UTC, candidate v3) rejected: intent-f1 failed',
    );
    await expect(reply.later).resolves.toEqual({ text: report.headline.summary, report });
  });

  it('answers "working on it" when a command is slow and follows up with the answer', async () => {
    vi.useFakeTimers();
    const fake = fakeAdmin({ ackMs: 1_500 });
    fake.deps.models.list = () =>
      new Promise((resolve) => setTimeout(() => resolve(fake.models), 8_000));
    const handler = createAdminHandler(fake.deps);
    const pending = handler.execute(admin, 'models');
    await vi.advanceTimersByTimeAsync(1_500);
    const reply = await pending;
    expect(reply.text).toBe('Working on `models`; the answer follows.');
    await vi.advanceTimersByTimeAsync(8_000);
    await expect(reply.later).resolves.toMatchObject({ text: expect.stringContaining('v2') });
  });

  it('prints stats with the fallback rate', async () => {
    const reply = await createAdminHandler(fakeAdmin().deps).execute(admin, 'stats');
    expect(reply.text).toContain('fallback rate 15.0% (6)');
    expect(reply.text).toContain('Active model v2: accuracy 0.912');
  });
});
