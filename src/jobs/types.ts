import type { ReportAttachment } from '../admin/types.js';

/**
 * What a retraining run comes to. Expected outcomes are values: a run with nothing new is
 * `skipped` with a reason, a candidate the gate refuses is `rejected`; only a run that could not
 * finish is `failed`.
 */
export type RunStatus = 'succeeded' | 'rejected' | 'skipped' | 'failed';
export type RunDecision = 'promoted' | 'rejected' | 'skipped' | 'failed';
export type RunTrigger = 'schedule' | 'command' | 'cli';

/**
 * Why a run was skipped: `locked` another run holds the retrain lock (no row is written),
 * `slot-taken` another instance already ran this schedule slot (no row is written),
 * `nothing-new` no accepted feedback or data since the active model, `no-valid-data` everything
 * new failed validation (both written as skipped rows).
 */
export type SkipCode = 'locked' | 'slot-taken' | 'nothing-new' | 'no-valid-data';

/** Headline figures of one model on the frozen test split, all fractions 0..1. */
export interface MetricsSummary {
  /** Test examples scored. */
  count: number;
  intentAccuracy: number;
  intentMacroF1: number;
  /** Micro F1 over exact entity spans; null when the set has no entities. */
  entityF1: number | null;
  /** Null when the set has no out-of-scope examples. */
  oosRecall: number | null;
  perIntentF1: Record<string, number>;
}

export interface RunOutcome {
  /** The training_runs row; null when no row was written (another run held the lock). */
  runId: string | null;
  status: RunStatus;
  decision: RunDecision;
  /** Why, in one line for people. */
  reason: string;
  /** For skipped runs, why in a word, for callers that act on it. */
  skip?: SkipCode;
  /** The candidate's version label (`v4`), when one was trained. */
  candidateVersion: string | null;
  metrics: { before: MetricsSummary | null; after: MetricsSummary | null };
  /** The report, when the run got as far as evaluating. */
  report?: ReportAttachment;
}

/** The JSON object `parley retrain --json` prints. */
export function outcomeJson(outcome: RunOutcome) {
  const { runId, status, decision, reason, candidateVersion, metrics } = outcome;
  return { runId, status, decision, reason, candidateVersion, metrics };
}

/** Run ids are uuids; people see and type the first 8 hex digits. */
export function shortRunId(runId: string): string {
  return runId.slice(0, 8);
}
