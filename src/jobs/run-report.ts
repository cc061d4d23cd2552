import type { ReportAttachment } from '../admin/types.js';
import { logger } from '../core/log.js';
import { renderF1Chart } from '../eval/chart.js';
import { diffPredictions } from '../eval/diff.js';
import type { GateDecision } from '../eval/gate.js';
import {
  comparisonHeadline,
  renderComparisonReport,
  type ComparisonReportInput,
} from '../eval/report.js';
import type { Scores } from './retrain.js';

/**
 * The report of a run: the before/after Markdown of src/eval (metrics, per-intent table, confused
 * pairs, what the feedback fixed and broke, training time and latency, the gate with its rules),
 * a section on the held-out corrections, and the per-intent F1 chart as a PNG.
 */

export interface RunReport {
  attachment: ReportAttachment;
  /** Stored with the run: the full evaluations, the gate, timings and data counts. */
  metrics: Record<string, unknown> | null;
  /** The gate passed but the run did not promote (the active model changed meanwhile). */
  overrule(reason: string): void;
}

export interface RunReportInput {
  runId: string;
  activeVersion: string;
  candidateVersion: string;
  scores: Scores;
  gate: GateDecision;
  trainingSeconds: number;
  redact: (text: string) => string;
}

const log = logger('jobs.report');

export async function buildRunReport(input: RunReportInput): Promise<RunReport> {
  const { scores } = input;
  const test = diffPredictions(scores.testItems.before, scores.testItems.after, input.redact);
  const corrections = diffPredictions(
    scores.correctionItems.before,
    scores.correctionItems.after,
    input.redact,
  );
  const comparison: ComparisonReportInput = {
    before: scores.before,
    after: scores.after,
    gate: input.gate,
    fixed: [...corrections.fixed, ...test.fixed],
    broke: [...corrections.broke, ...test.broke],
    trainingSeconds: input.trainingSeconds,
    latencyMs: scores.latency,
    runId: input.runId,
    candidateVersion: input.candidateVersion,
    activeVersion: input.activeVersion,
  };

  const sections = [
    renderComparisonReport(comparison).trimEnd(),
    correctionsSection(scores.corrections),
  ];
  const attachment: ReportAttachment = {
    runId: input.runId,
    markdown: `${sections.join('\n\n')}\n`,
    chartPng: await chart(input),
    headline: comparisonHeadline(comparison),
  };

  return {
    attachment,
    metrics: null,
    overrule(reason) {
      attachment.headline = { verdict: 'rejected', summary: `Not promoted: ${reason}.` };
      attachment.markdown = `**Not promoted:** ${reason}.\n\n${attachment.markdown}`;
    },
  };
}

/** The report of a run that failed: what happened, and that nothing changed. */
export function buildFailureReport(runId: string, reason: string): RunReport {
  const markdown = [
    `# Retraining report, run \`${runId}\``,
    '',
    `**Failed.** ${reason}.`,
    '',
    'No model was promoted. The run log has the details.',
    '',
  ].join('\n');
  return {
    attachment: {
      runId,
      markdown,
      headline: { verdict: 'failed', summary: `Retraining failed: ${reason}.` },
    },
    metrics: null,
    overrule() {},
  };
}

function correctionsSection(c: Scores['corrections']): string {
  if (c.total === 0) {
    return '## Held-out corrections\n\nNo new correction fell in the test split this time.';
  }
  return [
    '## Held-out corrections',
    '',
    `${c.total} corrections were held out of training. The active model had ${c.rightBefore} of ` +
      `them right; the candidate has ${c.nowRight} right.`,
  ].join('\n');
}

async function chart(input: RunReportInput): Promise<Uint8Array | undefined> {
  try {
    return await renderF1Chart(input.scores.before, input.scores.after, {
      beforeName: `active ${input.activeVersion}`,
      afterName: `candidate ${input.candidateVersion}`,
    });
  } catch (err) {
    // A report without its chart is still a report.
    log.error({ err, runId: input.runId }, 'rendering the F1 chart failed');
    return undefined;
  }
}
