import { ParleyError } from '../core/errors.js';

/**
 * Evaluation of a joint intent + entity model on a labelled set.
 *
 * Conventions (written down because every library picks differently):
 * - Intent labels are the union of gold and predicted intents, sorted by code unit, as scikit-learn's
 *   `classification_report` does. A label that is only ever predicted has support 0 and recall 0,
 *   and it counts in the macro average (it pulls it down, which is what a spurious label deserves).
 * - A ratio with a zero denominator is 0 (scikit-learn's `zero_division=0`): precision of a label
 *   never predicted, recall of a label never in gold, F1 when precision + recall is 0.
 * - The weighted average weights each label by its gold support, so support-0 labels add nothing.
 * - Entities match on exact spans, CoNLL style: type, start and end must all be equal; a span that
 *   is off by one character counts as one false positive and one false negative. Overall entity
 *   scores are micro averages over all spans (seqeval's overall figure). With no gold and no
 *   predicted entities at all, precision, recall and F1 are 0 (seqeval's convention), never null;
 *   `support` and `predicted` are both 0 then, and reports print "no entities" instead of 0.
 * - Every value is in 0..1; reports convert to points (0.01 = 1 point) themselves.
 */

export interface EvalSpan {
  type: string;
  /** UTF-16 offset, inclusive. */
  start: number;
  /** UTF-16 offset, exclusive. */
  end: number;
}

export interface EvalItem {
  text: string;
  gold: { intent: string; entities: EvalSpan[] };
  predicted: { intent: string; confidence?: number; entities: EvalSpan[] };
}

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
}

export interface LabelScores extends Scores {
  /** Number of gold examples (or spans) with this label. */
  support: number;
}

export interface ConfusedPair {
  gold: string;
  predicted: string;
  count: number;
}

export interface IntentEvaluation {
  accuracy: number;
  macro: Scores;
  weighted: Scores;
  perLabel: Record<string, LabelScores>;
  /** Rows are gold labels, columns predicted labels, both in `labels` order. */
  confusion: { labels: string[]; matrix: number[][] };
  /** Off-diagonal cells with a count, largest first (ties by gold, then predicted name). */
  mostConfused: ConfusedPair[];
}

export interface EntityEvaluation extends Scores {
  /** Gold spans in the set. */
  support: number;
  /** Predicted spans in the set. */
  predicted: number;
  perType: Record<string, LabelScores>;
}

export interface OutOfScopeEvaluation {
  /** The out-of-scope intent's name, as configured. */
  intent: string;
  precision: number;
  recall: number;
  /** Gold out-of-scope examples. */
  support: number;
}

/** Plain data: safe to `JSON.stringify` and store with a training run. */
export interface Evaluation {
  count: number;
  intent: IntentEvaluation;
  entities: EntityEvaluation;
  /** Present only when gold or predictions contain the out-of-scope intent. */
  outOfScope?: OutOfScopeEvaluation;
}

export interface EvaluateOptions {
  /** Name of the out-of-scope intent; `out_of_scope` unless configured otherwise. */
  outOfScopeIntent?: string;
  /** How many confused pairs to keep in `mostConfused` (default 10). */
  maxConfusedPairs?: number;
}

export const DEFAULT_OUT_OF_SCOPE_INTENT = 'out_of_scope';

export function evaluate(items: EvalItem[], options: EvaluateOptions = {}): Evaluation {
  if (items.length === 0) {
    throw new ParleyError(
      'DATA_INVALID',
      'evaluate() received no items; evaluate on a non-empty held-out set',
    );
  }
  items.forEach(checkItem);

  const oos = options.outOfScopeIntent ?? DEFAULT_OUT_OF_SCOPE_INTENT;
  const intent = evaluateIntents(items, options.maxConfusedPairs ?? 10);
  const evaluation: Evaluation = {
    count: items.length,
    intent,
    entities: evaluateEntities(items),
  };

  const oosScores = intent.perLabel[oos];
  if (oosScores !== undefined) {
    evaluation.outOfScope = {
      intent: oos,
      precision: oosScores.precision,
      recall: oosScores.recall,
      support: oosScores.support,
    };
  }
  return evaluation;
}

/** The ratio, or 0 when the denominator is 0 (see the conventions above). */
export function safeRatio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function f1Score(precision: number, recall: number): number {
  return safeRatio(2 * precision * recall, precision + recall);
}

function scores(truePositives: number, predicted: number, gold: number): Scores {
  const precision = safeRatio(truePositives, predicted);
  const recall = safeRatio(truePositives, gold);
  return { precision, recall, f1: f1Score(precision, recall) };
}

// ---- validation ----

function checkItem(item: EvalItem, index: number): void {
  const where = `evaluation item ${index}`;
  if (typeof item.gold?.intent !== 'string' || item.gold.intent === '') {
    throw new ParleyError('DATA_INVALID', `${where} has no gold intent; expected a non-empty name`);
  }
  if (typeof item.predicted?.intent !== 'string' || item.predicted.intent === '') {
    throw new ParleyError(
      'DATA_INVALID',
      `${where} has no predicted intent; expected a non-empty name`,
    );
  }
  item.gold.entities.forEach((span) => checkSpan(span, `${where}, gold entity`));
  item.predicted.entities.forEach((span) => checkSpan(span, `${where}, predicted entity`));
}

// Offsets are not checked against text.length: callers may pass redacted text of another length.
function checkSpan(span: EvalSpan, where: string): void {
  const valid = Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0;
  if (!valid || span.end <= span.start) {
    throw new ParleyError(
      'DATA_INVALID',
      `${where} ${span.type} has span [${span.start}, ${span.end}); expected integers with 0 <= start < end`,
    );
  }
}

// ---- intents ----

function evaluateIntents(items: EvalItem[], maxPairs: number): IntentEvaluation {
  const labels = [...new Set(items.flatMap((i) => [i.gold.intent, i.predicted.intent]))].sort(
    compareNames,
  );
  const index = new Map(labels.map((label, i) => [label, i]));

  // fill the confusion matrix: [gold][predicted]
  const matrix = labels.map(() => labels.map(() => 0));
  for (const item of items) {
    matrix[index.get(item.gold.intent)!][index.get(item.predicted.intent)!] += 1;
  }

  const perLabel: Record<string, LabelScores> = {};
  labels.forEach((label, i) => {
    const support = sum(matrix[i]);
    const predicted = sum(matrix.map((row) => row[i]));
    perLabel[label] = { ...scores(matrix[i][i], predicted, support), support };
  });

  const correct = sum(labels.map((_, i) => matrix[i][i]));
  return {
    accuracy: correct / items.length,
    macro: average(Object.values(perLabel), () => 1),
    weighted: average(Object.values(perLabel), (s) => s.support),
    perLabel,
    confusion: { labels, matrix },
    mostConfused: confusedPairs(labels, matrix).slice(0, maxPairs),
  };
}

function average(rows: LabelScores[], weight: (row: LabelScores) => number): Scores {
  const total = sum(rows.map(weight));
  const mean = (pick: (row: LabelScores) => number) =>
    safeRatio(sum(rows.map((row) => pick(row) * weight(row))), total);
  return {
    precision: mean((r) => r.precision),
    recall: mean((r) => r.recall),
    f1: mean((r) => r.f1),
  };
}

function confusedPairs(labels: string[], matrix: number[][]): ConfusedPair[] {
  const pairs: ConfusedPair[] = [];
  labels.forEach((gold, g) =>
    labels.forEach((predicted, p) => {
      if (g !== p && matrix[g][p] > 0) pairs.push({ gold, predicted, count: matrix[g][p] });
    }),
  );
  return pairs.sort(
    (a, b) =>
      b.count - a.count || compareNames(a.gold, b.gold) || compareNames(a.predicted, b.predicted),
  );
}

// ---- entities ----

interface SpanCounts {
  truePositives: number;
  predicted: number;
  gold: number;
}

function evaluateEntities(items: EvalItem[]): EntityEvaluation {
  const byType = new Map<string, SpanCounts>();
  const counts = (type: string): SpanCounts => {
    let entry = byType.get(type);
    if (entry === undefined) {
      entry = { truePositives: 0, predicted: 0, gold: 0 };
      byType.set(type, entry);
    }
    return entry;
  };

  for (const item of items) {
    for (const span of item.gold.entities) counts(span.type).gold += 1;
    for (const span of item.predicted.entities) counts(span.type).predicted += 1;
    for (const span of matchedSpans(item.gold.entities, item.predicted.entities)) {
      counts(span.type).truePositives += 1;
    }
  }

  const perType: Record<string, LabelScores> = {};
  for (const type of [...byType.keys()].sort(compareNames)) {
    const c = byType.get(type)!;
    perType[type] = { ...scores(c.truePositives, c.predicted, c.gold), support: c.gold };
  }

  // micro average over all spans
  const all = [...byType.values()];
  const totals = {
    truePositives: sum(all.map((c) => c.truePositives)),
    predicted: sum(all.map((c) => c.predicted)),
    gold: sum(all.map((c) => c.gold)),
  };
  return {
    ...scores(totals.truePositives, totals.predicted, totals.gold),
    support: totals.gold,
    predicted: totals.predicted,
    perType,
  };
}

/**
 * Predicted spans that equal a gold span exactly. Matching is one-to-one, so a span predicted
 * twice counts once as a hit and once as a false positive.
 */
function matchedSpans(gold: EvalSpan[], predicted: EvalSpan[]): EvalSpan[] {
  const unmatched = new Map<string, number>();
  for (const span of gold) unmatched.set(spanKey(span), (unmatched.get(spanKey(span)) ?? 0) + 1);

  const hits: EvalSpan[] = [];
  for (const span of predicted) {
    const left = unmatched.get(spanKey(span)) ?? 0;
    if (left > 0) {
      unmatched.set(spanKey(span), left - 1);
      hits.push(span);
    }
  }
  return hits;
}

export function spanKey(span: EvalSpan): string {
  return `${span.type}\u0000${span.start}\u0000${span.end}`;
}

/** Whether the predicted spans are exactly the gold spans (order aside). */
export function entitiesMatch(gold: EvalSpan[], predicted: EvalSpan[]): boolean {
  return gold.length === predicted.length && matchedSpans(gold, predicted).length === gold.length;
}

// ---- helpers ----

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Code-unit order, so label order never depends on the machine's locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
