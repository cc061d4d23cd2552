import type { ChildProcess } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runRetrain } from '../../src/jobs/retrain.js';
import { createChildTrainer } from '../../src/jobs/train-process.js';
import { poisonedCorrections, refundAndStatusCorrections } from '../fixtures/shop-data.js';
import { retrainHarness, tinyBaseModel } from './harness.js';
import { asFeedback } from './memory-ports.js';

const request = { trigger: 'command' as const, requestedBy: 'slack:U_ADMIN' };

beforeAll(async () => {
  await tinyBaseModel();
}, 120_000);

describe('retraining on feedback (case C12)', () => {
  it('learns 40 refund and order-status corrections without forgetting the other intents', async () => {
    const h = await retrainHarness({ feedback: asFeedback(refundAndStatusCorrections()) });
    const outcome = await runRetrain(h.deps, request);

    expect(outcome.status).toBe('succeeded');
    expect(outcome.decision).toBe('promoted');
    expect(outcome.candidateVersion).toBe('v2');
    const before = outcome.metrics.before!;
    const after = outcome.metrics.after!;
    for (const [intent, f1] of Object.entries(before.perIntentF1)) {
      if (intent === 'refund_request' || intent === 'order_status') continue;
      expect(after.perIntentF1[intent], intent).toBeGreaterThanOrEqual(f1 - 0.05);
    }
    expect(after.intentAccuracy).toBeGreaterThanOrEqual(before.intentAccuracy - 0.005);

    // promoted in the registry, announced, feedback used and kept for later runs
    expect(h.models.rows.map((r) => [r.version, r.status])).toEqual([
      [1, 'retired'],
      [2, 'active'],
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.promotions).toEqual([2]);
    expect(h.feedback.items.every((f) => f.status === 'used')).toBe(true);
    expect(h.examples.rows.filter((r) => r.origin === 'feedback')).toHaveLength(40);

    // the report: per-intent before/after, timing, the gate; posted and stored
    const report = outcome.report!;
    expect(report.headline.verdict).toBe('promoted');
    expect(report.markdown).toContain('## Per intent (active / candidate)');
    expect(report.markdown).toMatch(/\| cancel_order \| \d+ \|/);
    expect(report.markdown).toMatch(/Training the candidate took \d/);
    expect(report.markdown).toContain('inference latency p50');
    expect(report.markdown).toContain('Verdict: **pass**');
    expect(Buffer.from(report.chartPng!.subarray(1, 4)).toString()).toBe('PNG');
    expect(h.reports).toEqual([report]);
    const run = h.runs.runs[0];
    expect(run).toMatchObject({ status: 'succeeded', decision: 'promoted', candidateVersion: 2 });
    expect(run.reportMarkdown).toBe(report.markdown);
    expect(run.log.map((l) => l.msg)).toContain('promoted v2 over v1');
  });

  it('rejects 30 corrections that relabel cancelling a subscription as greet', async () => {
    const h = await retrainHarness({ feedback: asFeedback(poisonedCorrections()) });
    const outcome = await runRetrain(h.deps, request);

    expect(outcome.status).toBe('rejected');
    expect(outcome.decision).toBe('rejected');
    expect(outcome.reason).toMatch(/^Not promoted: /);
    expect(h.models.rows.map((r) => [r.version, r.status])).toEqual([
      [1, 'active'],
      [2, 'rejected'],
    ]);
    expect(h.promotions).toEqual([]);

    // the report names the regressed intent and says it was not promoted
    const report = outcome.report!;
    expect(report.headline.verdict).toBe('rejected');
    expect(report.markdown).toContain('**Not promoted.** Active model `v1` stays');
    expect(report.markdown).toMatch(/\| cancel_order \|[^\n]*\*\*regressed\*\*/);
    expect(outcome.metrics.after!.perIntentF1.cancel_order).toBeLessThan(
      outcome.metrics.before!.perIntentF1.cancel_order - 0.05,
    );
    // the poisoned feedback goes back to the review queue, not into the stored examples
    expect(h.feedback.items.every((f) => f.status === 'pending')).toBe(true);
    expect(h.examples.rows.filter((r) => r.origin === 'feedback')).toHaveLength(0);
  });

  it('leaves the active model and its row alone when training is killed halfway', async () => {
    let child: ChildProcess | undefined;
    const real = createChildTrainer({ onSpawn: (c) => (child = c) });
    const h = await retrainHarness({
      feedback: asFeedback(refundAndStatusCorrections()),
      trainer: (job, options) =>
        real(job, {
          ...options,
          onEvent: (event) => {
            options.onEvent?.(event);
            if (event.event === 'train.epoch' && event.epoch === 2) child?.kill('SIGKILL');
          },
        }),
    });
    const activeBefore = structuredClone(h.models.rows[0]);

    const outcome = await runRetrain(h.deps, request);

    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain('the training process was killed by SIGKILL');
    expect(h.models.rows).toEqual([activeBefore]);
    expect(h.runs.runs[0]).toMatchObject({ status: 'failed', decision: 'failed' });
    expect(h.runs.runs[0].log.some((l) => l.msg.startsWith('epoch 1/8'))).toBe(true);
    expect(h.feedback.items.every((f) => f.status === 'accepted')).toBe(true);
    expect(h.reports.map((r) => r.headline.verdict)).toEqual(['failed']);
  });
});

describe('retrain run bookkeeping', () => {
  const noTraining = async () => {
    throw new Error('this run must not train');
  };

  it('skips a run with nothing new, with a reason and a skipped row', async () => {
    const h = await retrainHarness({ trainer: noTraining });
    const outcome = await runRetrain(h.deps, request);
    expect(outcome).toMatchObject({
      status: 'skipped',
      decision: 'skipped',
      skip: 'nothing-new',
      reason: 'nothing new since v1: no accepted feedback and no new base data',
    });
    expect(h.runs.runs[0]).toMatchObject({ status: 'skipped', reason: outcome.reason });
    expect(h.reports).toEqual([]);
  });

  it('says in the run log which feedback failed validation, and queues it for review (C11)', async () => {
    const feedback = asFeedback([
      {
        text: 'refund A1234',
        intent: 'refund_request',
        entities: [{ type: 'order_id', start: 7, end: 40 }],
      },
      { text: 'refund B5678', intent: 'refund request', entities: [] },
      { text: '   ', intent: 'greet', entities: [] },
    ]);
    const h = await retrainHarness({ feedback, trainer: noTraining });
    const outcome = await runRetrain(h.deps, request);

    expect(outcome).toMatchObject({ status: 'skipped', skip: 'no-valid-data' });
    const messages = h.runs.runs[0].log.map((l) => l.msg);
    expect(messages).toContain(
      '3 feedback items failed validation, were left out and went back to the review queue',
    );
    expect(messages).toContain(
      'feedback fb-0000 left out: entity order_id at [7, 40) is outside the text (length 12)',
    );
    expect(messages).toContain(
      'feedback fb-0001 left out: intent "refund request" is not a valid name',
    );
    expect(h.feedback.items.map((f) => f.status)).toEqual(['pending', 'pending', 'pending']);
  });

  it('marks a run left running by a dead process as failed at the next start', async () => {
    const h = await retrainHarness({ trainer: noTraining });
    const dead = await h.runs.create({
      trigger: 'schedule',
      slotKey: 'schedule:2026-03-09T03:00:00.000Z',
    });
    await h.runs.start(dead!.id);

    await runRetrain(h.deps, request);
    expect(h.runs.runs[0]).toMatchObject({ status: 'failed', decision: 'failed' });
    expect(h.runs.runs[0].reason).toContain('stopped before the run finished');
  });

  it('writes no row for a schedule slot another instance already ran (C21)', async () => {
    const h = await retrainHarness({ trainer: noTraining });
    const slotKey = 'schedule:2026-03-10T03:00:00.000Z';
    await runRetrain(h.deps, { trigger: 'schedule', requestedBy: null, slotKey });
    const second = await runRetrain(h.deps, { trigger: 'schedule', requestedBy: null, slotKey });
    expect(second).toMatchObject({ runId: null, status: 'skipped', skip: 'slot-taken' });
    expect(h.runs.runs).toHaveLength(1);
  });

  it('fails the run without touching the active model when training throws', async () => {
    const h = await retrainHarness({
      feedback: asFeedback(refundAndStatusCorrections()),
      trainer: async () => {
        throw new Error('out of memory');
      },
    });
    const outcome = await runRetrain(h.deps, request);
    expect(outcome).toMatchObject({
      status: 'failed',
      reason: 'out of memory; the active model is unchanged',
    });
    expect(h.models.rows.map((r) => r.status)).toEqual(['active']);
    expect(h.feedback.items.every((f) => f.status === 'accepted')).toBe(true);
  });
});
