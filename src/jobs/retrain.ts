import type { ReportSink } from '../admin/types.js';
import { isParleyError, ParleyError } from '../core/errors.js';
import { logger as componentLogger, type Logger } from '../core/log.js';
import { applyGate, defaultGateRules, type GateRules } from '../eval/gate.js';
import { diffPredictions } from '../eval/diff.js';
import { evaluate, type EvalItem } from '../eval/metrics.js';
import type { LoadedArtifact } from '../nlu/artifact.js';
import { createNluEngine, type LoadedNluEngine } from '../nlu/runtime.js';
import type { Device } from '../nlu/session.js';
import type { TrainConfig } from '../train/trainer.js';
import type { ModelRegistry } from '../registry/registry.js';
import { versionLabel } from '../registry/registry.js';
import type { ModelVersionInfo, TrainingExamplesPort } from '../registry/ports.js';
import { measureLatency, scoreModel, summarize } from './compare.js';
import {
  assembleRunData,
  type FeedbackExample,
  type RunData,
  type TextKeys,
} from './retrain-data.js';
import { createRunLog, type RunLog, type RunLogLevel } from './run-log.js';
import { buildFailureReport, buildRunReport, type RunReport } from './run-report.js';
import type { CandidateTrainer, TrainEvent } from './train-job.js';
import { shortRunId, type RunOutcome, type RunTrigger, type SkipCode } from './types.js';

/**
 * One retraining run, start to end, as a plain async function. The schedule, the admin command
 * and `parley retrain` all call this; nothing here knows about timers or chat platforms.
 *
 * The run holds the store's `retrain` lock throughout (an advisory lock on a real server, so one
 * run across all instances). Inside it: mark runs left `running` by a dead process as failed,
 * write this run's row (a schedule slot already taken by another instance is a skip without a
 * row), assemble and validate the data, train a candidate in the training process, score the
 * active model and the candidate on the same frozen test split and held-out corrections, apply
 * the gate, promote (one transaction and a notification) or reject, store the report and post
 * it to every report sink.
 *
 * Every outcome is a value. Whatever fails, the active model is left as it was: the candidate is
 * only ever promoted after the gate passed, and the run row ends `failed` (or, if the database is
 * gone too, stays `running` until the next run marks it failed).
 */

export const RETRAIN_LOCK = 'retrain';

export interface RunsPort {
  create(input: {
    trigger: RunTrigger;
    requestedBy?: string | null;
    slotKey?: string | null;
  }): Promise<{ id: string } | undefined>;
  start(id: string): Promise<void>;
  appendLog(id: string, level: RunLogLevel, msg: string): Promise<void>;
  setCandidate(id: string, version: number): Promise<void>;
  finish(
    id: string,
    outcome: {
      status: 'succeeded' | 'rejected' | 'skipped' | 'failed';
      decision: string;
      reason: string;
      reportMarkdown?: string | null;
      chartPng?: Uint8Array | null;
      metrics?: Record<string, unknown> | null;
      candidateVersion?: number | null;
    },
  ): Promise<unknown>;
  failAbandonedRuns(reason?: string): Promise<string[]>;
  listOpen(): Promise<{ id: string; status: string }[]>;
}

/** Accepted feedback, ready to train on, and its review state afterwards. */
export interface FeedbackSource {
  /** Accepted corrections, and accepted thumbs-up when `includeUps`. */
  accepted(options: { includeUps: boolean }): Promise<FeedbackExample[]>;
  /** Feedback the promoted model learned from: not trained on again. */
  markUsed(ids: string[], runId: string): Promise<void>;
  /** Feedback of a rejected run, or that failed validation: back to the review queue. */
  returnToQueue(ids: string[], runId: string): Promise<void>;
}

export interface RetrainSettings {
  /** Whether a thumbs-up counts as a confirmed label (PARLEY_TRAIN_ON_THUMBS_UP). */
  trainOnThumbsUp: boolean;
  gateRules: GateRules;
  /** Fine-tuning settings on top of the trainer's defaults. */
  training: Partial<TrainConfig>;
  device: Device;
  /** Single-message predictions timed per model for the latency figures. */
  latencySamples: number;
  /** Applied to every text a report shows (stored texts are redacted already; this is a guard). */
  redact: (text: string) => string;
}

/**
 * Fine-tuning needs fewer epochs and a gentler rate than training from scratch: 8 epochs keep a
 * run on the shipped data plus 500 corrections within 3 minutes on 2 cores (scripts/bench-retrain.ts).
 */
export const RETRAIN_DEFAULTS: RetrainSettings = {
  trainOnThumbsUp: true,
  gateRules: defaultGateRules,
  training: { epochs: 8, learningRate: 1e-3, warmupFraction: 0.1, patience: 3, seed: 1 },
  device: 'cpu',
  latencySamples: 100,
  redact: (text) => text,
};

export interface RetrainDeps {
  lock<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  runs: RunsPort;
  registry: ModelRegistry;
  examples: TrainingExamplesPort;
  feedback: FeedbackSource;
  keys: TextKeys;
  trainer: CandidateTrainer;
  sinks: readonly ReportSink[];
  settings?: Partial<RetrainSettings>;
  logger?: Logger;
}

export interface RetrainRequest {
  trigger: RunTrigger;
  requestedBy: string | null;
  /** Scheduled runs: the slot, so each slot runs once across instances. */
  slotKey?: string;
  signal?: AbortSignal;
  /** Called once the run has its row (before any slow work). */
  onStarted?: (runId: string) => void;
}

export async function runRetrain(deps: RetrainDeps, request: RetrainRequest): Promise<RunOutcome> {
  const log = (deps.logger ?? componentLogger('jobs.retrain')).child({
    trigger: request.trigger,
    slot: request.slotKey,
  });
  let locked: { ran: true; value: RunOutcome } | { ran: false };
  try {
    locked = await deps.lock(RETRAIN_LOCK, () => runLocked(deps, request, log));
  } catch (err) {
    log.error({ err }, 'retrain failed before it had a row');
    return ended(null, 'failed', `the run could not start: ${reasonOf(err)}`);
  }
  if (!locked.ran) {
    log.info('retrain skipped: another run holds the retrain lock');
    return skipped(null, 'another run is in progress (the retrain lock is held)', 'locked');
  }
  return locked.value;
}

async function runLocked(deps: RetrainDeps, request: RetrainRequest, log: Logger) {
  await failAbandoned(deps.runs, log);

  const row = await deps.runs.create({
    trigger: request.trigger,
    requestedBy: request.requestedBy,
    slotKey: request.slotKey ?? null,
  });
  if (!row) {
    log.info('retrain skipped: another instance already ran this schedule slot');
    return skipped(
      null,
      `schedule slot ${request.slotKey} already ran on another instance`,
      'slot-taken',
    );
  }

  // Running before anyone hears of it: a process that dies from here on leaves a `running` row,
  // which the next run marks failed.
  await deps.runs.start(row.id);
  const run = createRunLog(deps.runs, row.id, log);
  request.onStarted?.(row.id);
  const who = request.requestedBy ? ` by ${request.requestedBy}` : '';
  run.info(`run ${shortRunId(row.id)} started (${request.trigger}${who})`);
  const settings = { ...RETRAIN_DEFAULTS, ...deps.settings };

  let outcome: RunOutcome;
  let report: RunReport | undefined;
  try {
    ({ outcome, report } = await execute(deps, settings, request, row.id, run));
  } catch (err) {
    run.error(`run failed: ${reasonOf(err)}`);
    outcome = ended(row.id, 'failed', `${reasonOf(err)}; the active model is unchanged`);
    report = buildFailureReport(row.id, outcome.reason);
    outcome.report = report.attachment;
  }

  await finishRow(deps, row.id, outcome, report, run, log);
  if (report && outcome.decision !== 'skipped') await postReport(deps.sinks, report, run);
  await run.flush();
  return outcome;
}

export const ABANDONED_REASON =
  'the process running it stopped before the run finished; the active model was not changed';

/**
 * Runs still open while this process holds the retrain lock belong to a process that died: a
 * `running` one mid-run, a `queued` one between writing its row and starting.
 */
export async function failAbandoned(runs: RunsPort, log: Logger): Promise<string[]> {
  const failed = await runs.failAbandonedRuns(ABANDONED_REASON);
  for (const open of await runs.listOpen()) {
    if (open.status !== 'queued') continue;
    await runs.finish(open.id, { status: 'failed', decision: 'failed', reason: ABANDONED_REASON });
    failed.push(open.id);
  }
  if (failed.length > 0) log.warn({ runs: failed }, 'marked abandoned runs as failed');
  return failed;
}

/** The work of a run; throws for failures, returns skips and gate decisions. */
async function execute(
  deps: RetrainDeps,
  settings: RetrainSettings,
  request: RetrainRequest,
  runId: string,
  run: RunLog,
): Promise<{ outcome: RunOutcome; report?: RunReport }> {
  // data
  const active = await deps.registry.active();
  const activeName = versionLabel(active.info.version);
  const [rows, feedback] = await Promise.all([
    deps.examples.list(),
    deps.feedback.accepted({ includeUps: settings.trainOnThumbsUp }),
  ]);
  const data = assembleRunData(rows, feedback, deps.keys);
  logData(run, data, activeName, settings);

  if (data.invalid.length > 0) {
    await deps.feedback.returnToQueue(
      data.invalid.map((i) => i.feedbackId),
      runId,
    );
  }
  const nothingNew = nothingNewReason(data, active.info);
  if (nothingNew) {
    run.info(`skipped: ${nothingNew.reason}`);
    return { outcome: skipped(runId, nothingNew.reason, nothingNew.code) };
  }
  if (data.test.length === 0) {
    throw new ParleyError(
      'DATA_INVALID',
      'there is no frozen test split to compare the models on; import base data with `parley import`',
    );
  }

  // train
  request.signal?.throwIfAborted();
  run.info(
    `training ${data.train.length} examples, warm start from ${activeName}, ` +
      `${settings.training.epochs ?? 'default'} epochs at most`,
  );
  const trained = await deps.trainer(
    {
      train: data.train,
      warmStart: { manifest: active.artifact.manifest, onnx: active.artifact.onnx },
      training: settings.training,
      outOfScopeIntent: active.artifact.manifest.outOfScopeIntent,
      synonyms: active.artifact.manifest.synonyms,
      version: `run-${shortRunId(runId)}`,
      device: settings.device,
    },
    { signal: request.signal, onEvent: (event) => logTrainEvent(run, event) },
  );
  run.info(`training finished in ${trained.seconds.toFixed(1)} s`);

  const candidate = await deps.registry.addCandidate({
    artifact: trained.artifact,
    parentVersion: active.info.version,
    runId,
    metrics: { dataMark: data.dataMark, trainingSeconds: trained.seconds },
  });
  const candidateName = versionLabel(candidate);
  try {
    await deps.runs.setCandidate(runId, candidate);
    run.info(`candidate ${candidateName} stored`);
    return await judge(deps, settings, request, runId, run, { active, candidate, data, trained });
  } catch (err) {
    // A candidate the run could not judge is never promoted; mark it so it is not mistaken
    // for one waiting.
    await deps.registry.reject(candidate).catch(() => undefined);
    throw err;
  }
}

/** Scores the candidate against the active model, applies the gate, promotes or rejects. */
async function judge(
  deps: RetrainDeps,
  settings: RetrainSettings,
  request: RetrainRequest,
  runId: string,
  run: RunLog,
  input: {
    active: Awaited<ReturnType<ModelRegistry['active']>>;
    candidate: number;
    data: RunData;
    trained: { seconds: number };
  },
): Promise<{ outcome: RunOutcome; report: RunReport }> {
  const { active, candidate, data, trained } = input;
  const activeName = versionLabel(active.info.version);
  const candidateName = versionLabel(candidate);

  // evaluate and decide
  request.signal?.throwIfAborted();
  const scores = await scoreBoth(deps, settings, active.artifact, candidate, data);
  const gate = applyGate(
    scores.before,
    scores.after,
    { total: data.heldOut.length, nowRight: scores.corrections.nowRight },
    settings.gateRules,
  );
  const report = await buildRunReport({
    runId,
    activeVersion: activeName,
    candidateVersion: candidateName,
    scores,
    gate,
    trainingSeconds: trained.seconds,
    redact: settings.redact,
  });
  for (const check of gate.checks) {
    run[check.pass ? 'info' : 'warn'](
      `gate ${check.rule}: ${check.pass ? 'pass' : 'FAIL'}, ${check.detail}`,
    );
  }

  const metrics = {
    ...summarize(scores.after),
    dataMark: data.dataMark,
    trainingSeconds: trained.seconds,
    latencyMs: scores.latency.after,
  };
  await deps.registry.setMetrics(candidate, metrics);
  if (typeof active.info.metrics?.intentAccuracy !== 'number') {
    // The shipped v1 has no figures until its first run; what it already records (its data
    // mark) stays.
    await deps.registry.setMetrics(active.info.version, {
      ...summarize(scores.before),
      latencyMs: scores.latency.before,
      ...active.info.metrics,
    });
  }

  const verdict = gate.pass
    ? await promote(deps, runId, candidate, active.info.version, data, run)
    : await reject(deps, runId, candidate, data, run);
  if (!verdict.promoted && gate.pass) report.overrule(verdict.reason);
  report.metrics = {
    before: scores.before,
    after: scores.after,
    corrections: scores.corrections,
    gate,
    latencyMs: scores.latency,
    trainingSeconds: trained.seconds,
    data: dataCounts(data),
  };
  const outcome: RunOutcome = {
    runId,
    status: verdict.promoted ? 'succeeded' : 'rejected',
    decision: verdict.promoted ? 'promoted' : 'rejected',
    reason: report.attachment.headline.summary,
    candidateVersion: candidateName,
    metrics: { before: summarize(scores.before), after: summarize(scores.after) },
    report: report.attachment,
  };
  return { outcome, report };
}

export interface Scores {
  before: ReturnType<typeof evaluate>;
  after: ReturnType<typeof evaluate>;
  testItems: { before: EvalItem[]; after: EvalItem[] };
  correctionItems: { before: EvalItem[]; after: EvalItem[] };
  corrections: { total: number; nowRight: number; rightBefore: number };
  latency: { before: { p50: number; p99: number }; after: { p50: number; p99: number } };
}

/** Scores the active model and the candidate on the same examples, one after the other. */
async function scoreBoth(
  deps: RetrainDeps,
  settings: RetrainSettings,
  activeArtifact: LoadedArtifact,
  candidate: number,
  data: RunData,
): Promise<Scores> {
  const oos = activeArtifact.manifest.outOfScopeIntent;
  const texts = data.test.map((e) => e.text);
  const score = async (engine: LoadedNluEngine) => {
    try {
      return {
        test: await scoreModel(engine, data.test),
        corrections: await scoreModel(engine, data.heldOut),
        latency: await measureLatency(engine, texts, settings.latencySamples),
      };
    } finally {
      await engine.release();
    }
  };

  const before = await score(await createNluEngine(activeArtifact, { device: settings.device }));
  const after = await score(await deps.registry.loadEngine(candidate));
  const diff = diffPredictions(before.corrections, after.corrections);
  const rightBefore = diff.nowRight - diff.fixed.length + diff.broke.length;
  return {
    before: evaluate(before.test, { outOfScopeIntent: oos }),
    after: evaluate(after.test, { outOfScopeIntent: oos }),
    testItems: { before: before.test, after: after.test },
    correctionItems: { before: before.corrections, after: after.corrections },
    corrections: { total: diff.total, nowRight: diff.nowRight, rightBefore },
    latency: { before: before.latency, after: after.latency },
  };
}

async function promote(
  deps: RetrainDeps,
  runId: string,
  candidate: number,
  parent: number,
  data: RunData,
  run: RunLog,
): Promise<{ promoted: true } | { promoted: false; reason: string }> {
  // The gate compared the candidate with its parent; if someone promoted another version
  // meanwhile, that comparison no longer says anything about the model it would replace.
  const now = await deps.registry.activeVersion();
  if (now !== parent) {
    const reason =
      `the gate passed, but the active model changed from ${versionLabel(parent)} to ` +
      `${now === undefined ? 'none' : versionLabel(now)} during the run, so ${versionLabel(candidate)} was not promoted`;
    return reject(deps, runId, candidate, data, run, reason);
  }

  await deps.registry.promote(candidate);
  run.info(`promoted ${versionLabel(candidate)} over ${versionLabel(parent)}`);

  // The promotion stands whatever happens to the bookkeeping after it.
  try {
    const learned = [...data.feedback.train, ...data.feedback.heldOut];
    await storeFeedbackExamples(deps, learned, run);
    const used = [...learned, ...data.feedback.skippedUps].map((f) => f.feedbackId);
    if (used.length > 0) await deps.feedback.markUsed(used, runId);
  } catch (err) {
    run.warn(
      `the feedback could not be marked as used: ${reasonOf(err)}; a later run may train on it again`,
    );
  }
  return { promoted: true };
}

async function reject(
  deps: RetrainDeps,
  runId: string,
  candidate: number,
  data: RunData,
  run: RunLog,
  reason?: string,
): Promise<{ promoted: false; reason: string }> {
  await deps.registry.reject(candidate);
  const ids = [...data.feedback.train, ...data.feedback.heldOut, ...data.feedback.skippedUps].map(
    (f) => f.feedbackId,
  );
  if (ids.length > 0) await deps.feedback.returnToQueue(ids, runId);
  run.warn(
    `${versionLabel(candidate)} rejected; ${ids.length} feedback items went back to the review queue`,
  );
  return { promoted: false, reason: reason ?? 'the gate rejected the candidate' };
}

/** The promoted model's feedback joins the stored examples (split frozen by text). */
async function storeFeedbackExamples(deps: RetrainDeps, items: FeedbackExample[], run: RunLog) {
  if (items.length === 0) return;
  const inputs = items.map((item) => ({
    text: item.text,
    intent: item.intent ?? '',
    entities: item.entities.map((e) => ({ ...e, value: item.text.slice(e.start, e.end) })),
    source: `feedback:${item.feedbackId}`,
  }));
  const result = await deps.examples.insertMany(inputs, {
    origin: 'feedback',
    onConflict: 'replace',
  });
  run.info(`${result.written} feedback examples stored for later runs`);
}

function nothingNewReason(
  data: RunData,
  active: ModelVersionInfo,
): { reason: string; code: SkipCode } | undefined {
  const fresh = data.feedback.train.length + data.feedback.heldOut.length;
  const mark = Number(active.metrics?.dataMark ?? 0);
  if (fresh > 0 || data.dataMark > mark) return undefined;
  const name = versionLabel(active.version);
  if (data.invalid.length > 0) {
    return {
      code: 'no-valid-data',
      reason: `all ${data.invalid.length} accepted feedback items failed validation (see the run log); nothing to train on, ${name} stays`,
    };
  }
  return {
    code: 'nothing-new',
    reason: `nothing new since ${name}: no accepted feedback and no new base data`,
  };
}

function logData(run: RunLog, data: RunData, activeName: string, settings: RetrainSettings) {
  const replayed = Object.entries(data.replayed)
    .map(([origin, n]) => `${n} ${origin}`)
    .join(', ');
  run.info(
    `data: active ${activeName}; replaying ${replayed || 'no stored examples'}; ` +
      `${data.feedback.train.length} new feedback examples to train on, ` +
      `${data.feedback.heldOut.length} held-out corrections, ${data.test.length} frozen test examples` +
      (settings.trainOnThumbsUp ? '' : '; thumbs-up not used (PARLEY_TRAIN_ON_THUMBS_UP=false)'),
  );
  if (data.feedback.skippedUps.length > 0) {
    run.info(`${data.feedback.skippedUps.length} thumbs-up in the test split left out`);
  }
  if (data.invalid.length > 0) {
    run.warn(
      `${data.invalid.length} feedback items failed validation, were left out and went back to the review queue`,
    );
    for (const item of data.invalid.slice(0, 20)) {
      run.warn(`feedback ${item.feedbackId.slice(0, 8)} left out: ${item.problem}`);
    }
  }
}

function logTrainEvent(run: RunLog, event: TrainEvent) {
  if (event.event !== 'train.epoch') return;
  const dev = event.dev as { intentAccuracy?: number; entityF1?: number } | undefined;
  const loss = Number(event.trainLoss).toFixed(4);
  const devPart = dev
    ? `, dev intent accuracy ${Number(dev.intentAccuracy).toFixed(3)}, entity F1 ${Number(dev.entityF1).toFixed(3)}`
    : '';
  run.info(
    `epoch ${event.epoch}/${event.epochs}: train loss ${loss}${devPart}${event.best ? ' (best)' : ''}`,
  );
}

function dataCounts(data: RunData) {
  return {
    train: data.train.length,
    test: data.test.length,
    heldOutCorrections: data.heldOut.length,
    feedbackTrain: data.feedback.train.length,
    thumbsUpLeftOut: data.feedback.skippedUps.length,
    invalidFeedback: data.invalid.length,
    replayed: data.replayed,
  };
}

async function finishRow(
  deps: RetrainDeps,
  runId: string,
  outcome: RunOutcome,
  report: RunReport | undefined,
  run: RunLog,
  log: Logger,
) {
  // The store's finish() writes the closing log line (decision and reason).
  await run.flush();
  try {
    await deps.runs.finish(runId, {
      status: outcome.status,
      decision: outcome.decision,
      reason: outcome.reason,
      reportMarkdown: report?.attachment.markdown ?? null,
      chartPng: report?.attachment.chartPng ?? null,
      metrics: report?.metrics ?? { before: outcome.metrics.before, after: outcome.metrics.after },
      candidateVersion: outcome.candidateVersion ? Number(outcome.candidateVersion.slice(1)) : null,
    });
  } catch (err) {
    // The row stays `running`; the next run marks it failed (failAbandonedRuns).
    log.error({ err, runId }, 'could not record the end of the run');
  }
}

async function postReport(sinks: readonly ReportSink[], report: RunReport, run: RunLog) {
  const results = await Promise.allSettled(sinks.map((sink) => sink.postReport(report.attachment)));
  results.forEach((result, i) => {
    const name = sinks[i].name;
    if (result.status === 'fulfilled') run.info(`report posted to ${name}`);
    else run.warn(`posting the report to ${name} failed: ${reasonOf(result.reason)}`);
  });
}

function skipped(runId: string | null, reason: string, skip: SkipCode): RunOutcome {
  return { ...ended(runId, 'skipped', reason), skip };
}

function ended(runId: string | null, status: 'skipped' | 'failed', reason: string): RunOutcome {
  return {
    runId,
    status,
    decision: status,
    reason,
    candidateVersion: null,
    metrics: { before: null, after: null },
  };
}

function reasonOf(err: unknown): string {
  if (isParleyError(err)) return err.message;
  if (err instanceof Error && err.name === 'AbortError') return 'the run was cancelled';
  return err instanceof Error ? err.message : String(err);
}
