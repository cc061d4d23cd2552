import { ParleyError } from '../core/errors.js';
import { fixed, percent, points, signedPoints } from './format.js';
import { safeRatio, type Evaluation } from './metrics.js';

/**
 * The promotion gate: a candidate replaces the active model only if it is not measurably worse on
 * the same frozen held-out set and it learned from the held-out corrections. All drops are
 * fractions (0.005 = half a point of accuracy); a drop exactly at the limit passes.
 */
export interface GateRules {
  /** Largest allowed fall in overall intent accuracy, 0..1. */
  maxAccuracyDrop: number;
  /** Largest allowed fall in overall (micro) entity F1, 0..1. */
  maxEntityF1Drop: number;
  /** Intents with fewer gold test examples than this are too noisy for the per-intent rule. */
  minSupportForIntentRule: number;
  /** Largest allowed fall in any one intent's F1, 0..1. */
  maxIntentF1Drop: number;
  /** Largest allowed fall in out-of-scope recall, 0..1. */
  maxOosRecallDrop: number;
  /** Share of held-out corrections the candidate must get right, 0..1 (skipped when none). */
  minCorrectionsFixedRatio: number;
}

export const defaultGateRules: GateRules = {
  maxAccuracyDrop: 0.005,
  maxEntityF1Drop: 0.005,
  minSupportForIntentRule: 5,
  maxIntentF1Drop: 0.05,
  maxOosRecallDrop: 0.02,
  minCorrectionsFixedRatio: 0.5,
};

export type GateRuleId =
  'intent-accuracy' | 'entity-f1' | 'intent-f1' | 'oos-recall' | 'corrections-fixed';

export interface GateCheck {
  rule: GateRuleId;
  pass: boolean;
  /** One line for people: the numbers compared, and for the intent rule which intents regressed. */
  detail: string;
}

export interface GateDecision {
  pass: boolean;
  /** The first failing rule, or `all-rules-passed`. */
  decidingRule: GateRuleId | 'all-rules-passed';
  checks: GateCheck[];
  /** The rules this decision was made under, so a stored report can print them. */
  rules: GateRules;
}

export interface CorrectionsOutcome {
  /** Held-out corrections evaluated. */
  total: number;
  /** Of those, how many the candidate now gets right. */
  nowRight: number;
}

// Metrics are ratios of small integers, so 0.9 - 0.895 is 0.005000000000000004, not 0.005; a
// drop within this tolerance of the limit counts as at the limit.
const EPSILON = 1e-9;

export function applyGate(
  before: Evaluation,
  after: Evaluation,
  corrections: CorrectionsOutcome,
  rules: GateRules = defaultGateRules,
): GateDecision {
  checkRules(rules);
  checkSameSet(before, after);
  checkCorrections(corrections);

  const checks = [
    accuracyCheck(before, after, rules),
    entityCheck(before, after, rules),
    intentCheck(before, after, rules),
    oosCheck(before, after, rules),
    correctionsCheck(corrections, rules),
  ];
  const firstFailure = checks.find((check) => !check.pass);
  return {
    pass: firstFailure === undefined,
    decidingRule: firstFailure?.rule ?? 'all-rules-passed',
    checks,
    rules: { ...rules },
  };
}

/** The rules in words, one line each, in the order they are applied; printed in every report. */
export function describeRules(rules: GateRules): string[] {
  return [
    `Intent accuracy may fall at most ${points(rules.maxAccuracyDrop)} below the active model.`,
    `Entity F1 (exact spans, all types) may fall at most ${points(rules.maxEntityF1Drop)} below the active model.`,
    `No intent with at least ${rules.minSupportForIntentRule} test examples may lose more than ${points(rules.maxIntentF1Drop)} of F1.`,
    `Out-of-scope recall may fall at most ${points(rules.maxOosRecallDrop)} below the active model.`,
    `At least ${percent(rules.minCorrectionsFixedRatio)} of the held-out corrections must now be right (skipped when there are none).`,
  ];
}

/** Defaults overridden by `overrides`, validated; for configuration files and admin commands. */
export function resolveGateRules(overrides: Partial<GateRules> = {}): GateRules {
  const rules = { ...defaultGateRules, ...overrides };
  checkRules(rules);
  return rules;
}

// ---- the rules ----

function accuracyCheck(before: Evaluation, after: Evaluation, rules: GateRules): GateCheck {
  const b = before.intent.accuracy;
  const a = after.intent.accuracy;
  return {
    rule: 'intent-accuracy',
    pass: withinDrop(b, a, rules.maxAccuracyDrop),
    detail: `accuracy ${fixed(b)} -> ${fixed(a)} (${signedPoints(a - b)}; limit -${points(rules.maxAccuracyDrop)})`,
  };
}

function entityCheck(before: Evaluation, after: Evaluation, rules: GateRules): GateCheck {
  const noEntities =
    before.entities.support === 0 &&
    before.entities.predicted === 0 &&
    after.entities.predicted === 0;
  if (noEntities) {
    return { rule: 'entity-f1', pass: true, detail: 'no entities in the test set or predictions' };
  }

  const b = before.entities.f1;
  const a = after.entities.f1;
  return {
    rule: 'entity-f1',
    pass: withinDrop(b, a, rules.maxEntityF1Drop),
    detail: `entity F1 ${fixed(b)} -> ${fixed(a)} (${signedPoints(a - b)}; limit -${points(rules.maxEntityF1Drop)})`,
  };
}

export interface IntentRegression {
  intent: string;
  support: number;
  /** F1 of the active model and of the candidate, 0..1. */
  before: number;
  after: number;
}

/** Intents the per-intent rule rejects, worst regression first. */
export function regressedIntents(
  before: Evaluation,
  after: Evaluation,
  rules: GateRules,
): IntentRegression[] {
  return eligibleIntents(before, rules)
    .map(([intent, scores]) => ({
      intent,
      support: scores.support,
      before: scores.f1,
      after: after.intent.perLabel[intent]?.f1 ?? 0,
    }))
    .filter((row) => !withinDrop(row.before, row.after, rules.maxIntentF1Drop))
    .sort((x, y) => x.after - x.before - (y.after - y.before));
}

function eligibleIntents(before: Evaluation, rules: GateRules) {
  return Object.entries(before.intent.perLabel).filter(
    ([, scores]) => scores.support >= rules.minSupportForIntentRule,
  );
}

function intentCheck(before: Evaluation, after: Evaluation, rules: GateRules): GateCheck {
  const regressed = regressedIntents(before, after, rules);
  const scope = `${eligibleIntents(before, rules).length} intents with support >= ${rules.minSupportForIntentRule}`;
  if (regressed.length === 0) {
    return {
      rule: 'intent-f1',
      pass: true,
      detail: `no intent lost more than ${points(rules.maxIntentF1Drop)} of F1 (${scope})`,
    };
  }

  const list = regressed
    .map(
      (r) =>
        `${r.intent} F1 ${fixed(r.before)} -> ${fixed(r.after)} (${signedPoints(r.after - r.before)}, support ${r.support})`,
    )
    .join('; ');
  return {
    rule: 'intent-f1',
    pass: false,
    detail: `regressed beyond -${points(rules.maxIntentF1Drop)}: ${list}`,
  };
}

function oosCheck(before: Evaluation, after: Evaluation, rules: GateRules): GateCheck {
  const support = before.outOfScope?.support ?? 0;
  if (support === 0) {
    return { rule: 'oos-recall', pass: true, detail: 'no out-of-scope examples in the test set' };
  }

  const b = before.outOfScope?.recall ?? 0;
  const a = after.outOfScope?.recall ?? 0;
  return {
    rule: 'oos-recall',
    pass: withinDrop(b, a, rules.maxOosRecallDrop),
    detail: `out-of-scope recall ${fixed(b)} -> ${fixed(a)} (${signedPoints(a - b)}; limit -${points(rules.maxOosRecallDrop)}; support ${support})`,
  };
}

function correctionsCheck(corrections: CorrectionsOutcome, rules: GateRules): GateCheck {
  if (corrections.total === 0) {
    return { rule: 'corrections-fixed', pass: true, detail: 'no held-out corrections' };
  }

  const ratio = safeRatio(corrections.nowRight, corrections.total);
  return {
    rule: 'corrections-fixed',
    pass: ratio >= rules.minCorrectionsFixedRatio - EPSILON,
    detail: `${corrections.nowRight} of ${corrections.total} held-out corrections now right (${percent(ratio)}; needs ${percent(rules.minCorrectionsFixedRatio)})`,
  };
}

function withinDrop(before: number, after: number, maxDrop: number): boolean {
  return before - after <= maxDrop + EPSILON;
}

// ---- validation ----

function checkRules(rules: GateRules): void {
  const fractions: (keyof GateRules)[] = [
    'maxAccuracyDrop',
    'maxEntityF1Drop',
    'maxIntentF1Drop',
    'maxOosRecallDrop',
    'minCorrectionsFixedRatio',
  ];
  for (const key of fractions) {
    const value = rules[key];
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new ParleyError(
        'CONFIG_INVALID',
        `gate rule ${key} is ${value}; expected a fraction between 0 and 1 (0.005 = half a point)`,
      );
    }
  }
  const support = rules.minSupportForIntentRule;
  if (!Number.isInteger(support) || support < 1) {
    throw new ParleyError(
      'CONFIG_INVALID',
      `gate rule minSupportForIntentRule is ${support}; expected a whole number of examples >= 1`,
    );
  }
}

// Both models must be scored on the same frozen set, or the comparison means nothing.
function checkSameSet(before: Evaluation, after: Evaluation): void {
  const sameCount = before.count === after.count;
  const sameEntities = before.entities.support === after.entities.support;
  const sameSupport = Object.entries(before.intent.perLabel).every(
    ([intent, scores]) => (after.intent.perLabel[intent]?.support ?? 0) === scores.support,
  );
  if (!sameCount || !sameEntities || !sameSupport) {
    throw new ParleyError(
      'DATA_INVALID',
      `gate compared evaluations of different test sets (${before.count} vs ${after.count} examples, or different gold labels); evaluate both models on the same frozen held-out set`,
    );
  }
}

function checkCorrections(c: CorrectionsOutcome): void {
  const valid =
    Number.isInteger(c.total) &&
    Number.isInteger(c.nowRight) &&
    c.total >= 0 &&
    c.nowRight >= 0 &&
    c.nowRight <= c.total;
  if (!valid) {
    throw new ParleyError(
      'DATA_INVALID',
      `gate got corrections { total: ${c.total}, nowRight: ${c.nowRight} }; expected whole numbers with 0 <= nowRight <= total`,
    );
  }
}
