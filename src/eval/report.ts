import type { ExampleDiff } from './diff.js';
import { fixed, signedPoints } from './format.js';
import { describeRules, regressedIntents, type GateDecision } from './gate.js';
import { compareNames, type Evaluation, type LabelScores, type Scores } from './metrics.js';

/**
 * Markdown reports. Every value comes from an `Evaluation` (fractions in 0..1, printed with three
 * decimals, changes in points). Example texts are printed as given, so callers redact them first;
 * they are set in code spans so that a mention or a link in a customer's text stays inert text.
 */

export interface LatencySummary {
  /** Milliseconds per message, median and 99th percentile. */
  p50: number;
  p99: number;
}

export interface ComparisonReportInput {
  /** The active model, evaluated on the frozen held-out set. */
  before: Evaluation;
  /** The candidate, evaluated on the same set. */
  after: Evaluation;
  gate: GateDecision;
  /** Examples the candidate gets right and the active model got wrong, texts already redacted. */
  fixed: ExampleDiff[];
  /** Examples the active model got right and the candidate gets wrong, texts already redacted. */
  broke: ExampleDiff[];
  /** Wall-clock training time of the candidate, seconds. */
  trainingSeconds: number;
  latencyMs: { before: LatencySummary; after: LatencySummary };
  runId: string;
  candidateVersion?: string;
  activeVersion: string;
}

/** How many examples of each kind (fixed, broke) and confused pairs a report shows. */
const SHOWN_EXAMPLES = 5;
const SHOWN_PAIRS = 5;
/** Longest example text shown, in code points; longer texts end in an ellipsis. */
const MAX_TEXT = 120;

// ---- single evaluation ----

/** A classification report in Markdown, laid out like scikit-learn's, plus entities and OOS. */
export function renderClassificationReport(e: Evaluation): string {
  return [
    `Evaluated on ${e.count} examples.`,
    '',
    intentTable(e),
    '',
    entityTable(e),
    '',
    oosLine(e),
  ].join('\n');
}

function intentTable(e: Evaluation): string {
  const rows = Object.entries(e.intent.perLabel).map(([label, s]) => scoreRow(label, s, s.support));
  const { accuracy, macro, weighted } = e.intent;
  return table(
    ['intent', 'precision', 'recall', 'f1-score', 'support'],
    [
      ...rows,
      ['**accuracy**', '', '', fixed(accuracy), String(e.count)],
      scoreRow('**macro avg**', macro, e.count),
      scoreRow('**weighted avg**', weighted, e.count),
    ],
  );
}

function entityTable(e: Evaluation): string {
  if (!hasEntities(e)) return 'Entities: none in the test set or the predictions.';
  const rows = Object.entries(e.entities.perType).map(([type, s]) => scoreRow(type, s, s.support));
  return table(
    ['entity type (exact span)', 'precision', 'recall', 'f1-score', 'support'],
    [...rows, scoreRow('**micro avg**', e.entities, e.entities.support)],
  );
}

function oosLine(e: Evaluation): string {
  const oos = e.outOfScope;
  if (oos === undefined) return 'Out of scope: not in the test set or the predictions.';
  return `Out of scope (${code(oos.intent)}): precision ${fixed(oos.precision)}, recall ${fixed(oos.recall)}, support ${oos.support}.`;
}

function scoreRow(label: string, s: Scores, support: number): string[] {
  return [label, fixed(s.precision), fixed(s.recall), fixed(s.f1), String(support)];
}

// ---- before / after ----

/** The report posted after a retraining run: what changed, why the gate decided as it did. */
export function renderComparisonReport(input: ComparisonReportInput): string {
  const sections = [
    verdictSection(input),
    summarySection(input),
    perIntentSection(input),
    confusedSection(input),
    feedbackSection(input),
    speedSection(input),
    gateSection(input.gate),
  ];
  return sections.join('\n\n') + '\n';
}

/** The one-line outcome, for chat headlines and `ReportAttachment.headline`. */
export function comparisonHeadline(input: ComparisonReportInput): {
  verdict: 'promoted' | 'rejected';
  summary: string;
} {
  const { before, after, gate } = input;
  const accuracy = `accuracy ${fixed(before.intent.accuracy)} -> ${fixed(after.intent.accuracy)}`;
  if (gate.pass) {
    return {
      verdict: 'promoted',
      summary: `Promoted ${candidateName(input)} over ${input.activeVersion} (${accuracy}).`,
    };
  }
  const failed = gate.checks.find((c) => c.rule === gate.decidingRule);
  return {
    verdict: 'rejected',
    summary: `Not promoted: ${gate.decidingRule} failed (${failed?.detail ?? 'no detail'}). ${input.activeVersion} stays active.`,
  };
}

function verdictSection(input: ComparisonReportInput): string {
  const title = `# Retraining report, run ${code(input.runId)}`;
  const { gate } = input;
  if (gate.pass) {
    return `${title}\n\n**Promoted.** Candidate ${code(candidateName(input))} replaces active model ${code(input.activeVersion)}; every gate rule passed.`;
  }
  const failed = gate.checks.find((c) => c.rule === gate.decidingRule);
  return [
    title,
    '',
    `**Not promoted.** Active model ${code(input.activeVersion)} stays; candidate ${code(candidateName(input))} failed the gate.`,
    '',
    `Deciding rule: ${code(gate.decidingRule)}: ${escapeCell(failed?.detail ?? '')}`,
  ].join('\n');
}

function summarySection(input: ComparisonReportInput): string {
  const { before, after } = input;
  const rows: string[][] = [
    ['held-out examples', String(before.count), String(after.count), ''],
    compareRow('intent accuracy', before.intent.accuracy, after.intent.accuracy),
    compareRow('intent macro F1', before.intent.macro.f1, after.intent.macro.f1),
    compareRow('intent weighted F1', before.intent.weighted.f1, after.intent.weighted.f1),
  ];

  if (hasEntities(before) || hasEntities(after)) {
    rows.push(compareRow('entity F1, all types', before.entities.f1, after.entities.f1));
    for (const type of unionKeys(before.entities.perType, after.entities.perType)) {
      const b = before.entities.perType[type]?.f1 ?? 0;
      const a = after.entities.perType[type]?.f1 ?? 0;
      rows.push(compareRow(`entity F1, ${escapeCell(type)}`, b, a));
    }
  }

  if (before.outOfScope !== undefined || after.outOfScope !== undefined) {
    const b = before.outOfScope;
    const a = after.outOfScope;
    rows.push(compareRow('out-of-scope precision', b?.precision ?? 0, a?.precision ?? 0));
    rows.push(compareRow('out-of-scope recall', b?.recall ?? 0, a?.recall ?? 0));
  }

  return `## Summary\n\n${table(modelHeader(input, 'metric', ['change']), rows)}`;
}

function perIntentSection(input: ComparisonReportInput): string {
  const { before, after, gate } = input;
  const regressed = new Set(regressedIntents(before, after, gate.rules).map((r) => r.intent));
  const blank: LabelScores = { precision: 0, recall: 0, f1: 0, support: 0 };

  const rows = unionKeys(before.intent.perLabel, after.intent.perLabel).map((intent) => {
    const b = before.intent.perLabel[intent] ?? blank;
    const a = after.intent.perLabel[intent] ?? blank;
    return [
      escapeCell(intent),
      String(Math.max(b.support, a.support)),
      `${fixed(b.precision)} / ${fixed(a.precision)}`,
      `${fixed(b.recall)} / ${fixed(a.recall)}`,
      `${fixed(b.f1)} / ${fixed(a.f1)}`,
      signedPoints(a.f1 - b.f1),
      regressed.has(intent) ? '**regressed**' : '',
    ];
  });
  const header = ['intent', 'support', 'precision', 'recall', 'F1', 'F1 change', ''];
  return `## Per intent (active / candidate)\n\n${table(header, rows)}`;
}

function confusedSection(input: ComparisonReportInput): string {
  const { before, after } = input;
  const key = (gold: string, predicted: string) => `${gold}\u0000${predicted}`;
  const pairs = new Map<string, { gold: string; predicted: string }>();
  for (const p of [
    ...after.intent.mostConfused.slice(0, SHOWN_PAIRS),
    ...before.intent.mostConfused.slice(0, SHOWN_PAIRS),
  ]) {
    pairs.set(key(p.gold, p.predicted), { gold: p.gold, predicted: p.predicted });
  }
  if (pairs.size === 0) return '## Most confused intents\n\nNo intent was mistaken for another.';

  const rows = [...pairs.values()]
    .map((p) => ({
      ...p,
      before: confusionCount(before, p.gold, p.predicted),
      after: confusionCount(after, p.gold, p.predicted),
    }))
    .sort((x, y) => y.after - x.after || y.before - x.before)
    .map((p) => [escapeCell(p.gold), escapeCell(p.predicted), String(p.before), String(p.after)]);
  const header = modelHeader(input, 'gold', []);
  header.splice(1, 0, 'predicted as');
  return `## Most confused intents\n\n${table(header, rows, 2)}`;
}

function confusionCount(e: Evaluation, gold: string, predicted: string): number {
  const { labels, matrix } = e.intent.confusion;
  const g = labels.indexOf(gold);
  const p = labels.indexOf(predicted);
  return g < 0 || p < 0 ? 0 : (matrix[g]?.[p] ?? 0);
}

function feedbackSection(input: ComparisonReportInput): string {
  const { fixed: fixedExamples, broke } = input;
  const lines = [
    '## What the feedback changed',
    '',
    `Fixed: ${examplesCount(fixedExamples.length)} the active model got wrong now right.`,
    `Broke: ${examplesCount(broke.length)} the active model got right now wrong.`,
  ];
  if (fixedExamples.length > 0) lines.push('', examplesTable('Fixed', fixedExamples));
  if (broke.length > 0) lines.push('', examplesTable('Broke', broke));
  return lines.join('\n');
}

function examplesTable(title: string, examples: ExampleDiff[]): string {
  const shown = examples.slice(0, SHOWN_EXAMPLES);
  const rows = shown.map((d) => [
    code(clip(d.text)),
    escapeCell(d.goldIntent),
    predictionCell(d.beforeIntent, d.entitiesRightBefore),
    predictionCell(d.afterIntent, d.entitiesRightAfter),
  ]);
  const more =
    examples.length > shown.length ? ` (first ${shown.length} of ${examples.length})` : '';
  return `${title}${more}:\n\n${table(['text', 'gold', 'active', 'candidate'], rows, 4)}`;
}

function examplesCount(n: number): string {
  return n === 1 ? '1 example' : `${n} examples`;
}

function predictionCell(intent: string, entitiesRight: boolean): string {
  return entitiesRight ? escapeCell(intent) : `${escapeCell(intent)} (entities wrong)`;
}

function speedSection(input: ComparisonReportInput): string {
  const { before, after } = input.latencyMs;
  const rows = [
    ['inference latency p50', ms(before.p50), ms(after.p50), signedMs(after.p50 - before.p50)],
    ['inference latency p99', ms(before.p99), ms(after.p99), signedMs(after.p99 - before.p99)],
  ];
  return [
    '## Training and inference time',
    '',
    `Training the candidate took ${duration(input.trainingSeconds)}.`,
    '',
    table(modelHeader(input, 'per message', ['change']), rows),
  ].join('\n');
}

function gateSection(gate: GateDecision): string {
  const rows = gate.checks.map((c) => [
    code(c.rule),
    c.pass ? 'pass' : '**fail**',
    escapeCell(c.detail),
  ]);
  const verdict = gate.pass
    ? 'Verdict: **pass**, every rule held.'
    : `Verdict: **fail**, deciding rule ${code(gate.decidingRule)} (the first that failed).`;
  return [
    '## Gate',
    '',
    verdict,
    '',
    table(['rule', 'result', 'detail'], rows, 3),
    '',
    'Rules, applied in this order:',
    '',
    ...describeRules(gate.rules).map((line, i) => `${i + 1}. ${line}`),
  ].join('\n');
}

// ---- Markdown helpers ----

/** A GFM table; the first `textColumns` columns are left-aligned, numbers to the right. */
function table(header: string[], rows: string[][], textColumns = 1): string {
  const align = header.map((_, i) => (i < textColumns ? '---' : '---:'));
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function modelHeader(input: ComparisonReportInput, first: string, rest: string[]): string[] {
  return [
    first,
    `active ${code(input.activeVersion)}`,
    `candidate ${code(candidateName(input))}`,
    ...rest,
  ];
}

function compareRow(label: string, before: number, after: number): string[] {
  return [label, fixed(before), fixed(after), signedPoints(after - before)];
}

function candidateName(input: ComparisonReportInput): string {
  return input.candidateVersion ?? 'candidate';
}

function hasEntities(e: Evaluation): boolean {
  return e.entities.support > 0 || e.entities.predicted > 0;
}

function unionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareNames);
}

/** Table cells are one line and must not contain an unescaped pipe. */
function escapeCell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
}

/**
 * An inline code span. Backticks inside become apostrophes (a report is for reading, not for
 * copying text back), which keeps the span closed and mentions such as <!channel> inert.
 */
function code(text: string): string {
  return `\`${escapeCell(text).replace(/`/g, "'")}\``;
}

function clip(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= MAX_TEXT ? chars.join('') : `${chars.slice(0, MAX_TEXT - 1).join('')}…`;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function signedMs(delta: number): string {
  const rounded = Math.round(delta * 10) / 10;
  return `${rounded > 0 ? '+' : rounded < 0 ? '-' : '±'}${Math.abs(rounded).toFixed(1)} ms`;
}

/** Seconds as "42.0 s", "3 min 5 s" or "1 h 2 min". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h} h ${min} min` : `${min} min ${s} s`;
}
