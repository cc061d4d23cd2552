import { describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import {
  applyGate,
  defaultGateRules,
  describeRules,
  resolveGateRules,
  type GateRules,
} from '../../src/eval/gate.js';
import { evaluate, type Evaluation } from '../../src/eval/metrics.js';
import { item } from './helpers.js';

/** A hand-made evaluation: only the fields the gate reads carry meaning. */
function metrics(opts: {
  accuracy?: number;
  entityF1?: number;
  entitySupport?: number;
  intents?: Record<string, [f1: number, support: number]>;
  oosRecall?: number;
  oosSupport?: number;
}): Evaluation {
  const intents = opts.intents ?? { greet: [0.9, 10] };
  const perLabel = Object.fromEntries(
    Object.entries(intents).map(([name, [f1, support]]) => [
      name,
      { precision: f1, recall: f1, f1, support },
    ]),
  );
  const scores = { precision: 0, recall: 0, f1: 0 };
  const entitySupport = opts.entitySupport ?? 20;
  const e: Evaluation = {
    count: 100,
    intent: {
      accuracy: opts.accuracy ?? 0.9,
      macro: scores,
      weighted: scores,
      perLabel,
      confusion: { labels: Object.keys(intents), matrix: [] },
      mostConfused: [],
    },
    entities: {
      precision: opts.entityF1 ?? 0.8,
      recall: opts.entityF1 ?? 0.8,
      f1: opts.entityF1 ?? 0.8,
      support: entitySupport,
      predicted: entitySupport,
      perType: {},
    },
  };
  if (opts.oosRecall !== undefined) {
    e.outOfScope = {
      intent: 'out_of_scope',
      precision: 1,
      recall: opts.oosRecall,
      support: opts.oosSupport ?? 10,
    };
  }
  return e;
}

const noCorrections = { total: 0, nowRight: 0 };

function check(decision: ReturnType<typeof applyGate>, rule: string) {
  const found = decision.checks.find((c) => c.rule === rule);
  if (!found) throw new Error(`no check ${rule}`);
  return found;
}

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return isParleyError(err) ? err.code : 'not a ParleyError';
  }
  return 'no error';
}

describe('applyGate: each rule at its boundary (default rules)', () => {
  const rows: {
    label: string;
    before: Evaluation;
    after: Evaluation;
    corrections?: { total: number; nowRight: number };
    rule: string;
    pass: boolean;
  }[] = [
    {
      label: 'accuracy down exactly 0.5 points passes',
      before: metrics({ accuracy: 0.9 }),
      after: metrics({ accuracy: 0.895 }),
      rule: 'intent-accuracy',
      pass: true,
    },
    {
      label: 'accuracy down 0.51 points fails',
      before: metrics({ accuracy: 0.9 }),
      after: metrics({ accuracy: 0.8949 }),
      rule: 'intent-accuracy',
      pass: false,
    },
    {
      label: 'entity F1 down exactly 0.5 points passes',
      before: metrics({ entityF1: 0.8 }),
      after: metrics({ entityF1: 0.795 }),
      rule: 'entity-f1',
      pass: true,
    },
    {
      label: 'entity F1 down 0.51 points fails',
      before: metrics({ entityF1: 0.8 }),
      after: metrics({ entityF1: 0.7949 }),
      rule: 'entity-f1',
      pass: false,
    },
    {
      label: 'intent with support 5 down exactly 5 points passes',
      before: metrics({ intents: { cancel_order: [0.9, 5] } }),
      after: metrics({ intents: { cancel_order: [0.85, 5] } }),
      rule: 'intent-f1',
      pass: true,
    },
    {
      label: 'intent with support 5 down 5.01 points fails',
      before: metrics({ intents: { cancel_order: [0.9, 5] } }),
      after: metrics({ intents: { cancel_order: [0.8499, 5] } }),
      rule: 'intent-f1',
      pass: false,
    },
    {
      label: 'intent with support 4 is not judged, however far it falls',
      before: metrics({ intents: { cancel_order: [0.9, 4] } }),
      after: metrics({ intents: { cancel_order: [0.1, 4] } }),
      rule: 'intent-f1',
      pass: true,
    },
    {
      label: 'OOS recall down exactly 2 points passes',
      before: metrics({ oosRecall: 0.8 }),
      after: metrics({ oosRecall: 0.78 }),
      rule: 'oos-recall',
      pass: true,
    },
    {
      label: 'OOS recall down 2.01 points fails',
      before: metrics({ oosRecall: 0.8 }),
      after: metrics({ oosRecall: 0.7799 }),
      rule: 'oos-recall',
      pass: false,
    },
    {
      label: 'half of the corrections right passes',
      before: metrics({}),
      after: metrics({}),
      corrections: { total: 10, nowRight: 5 },
      rule: 'corrections-fixed',
      pass: true,
    },
    {
      label: 'fewer than half of the corrections right fails',
      before: metrics({}),
      after: metrics({}),
      corrections: { total: 10, nowRight: 4 },
      rule: 'corrections-fixed',
      pass: false,
    },
    {
      label: 'no held-out corrections passes',
      before: metrics({}),
      after: metrics({}),
      corrections: { total: 0, nowRight: 0 },
      rule: 'corrections-fixed',
      pass: true,
    },
  ];

  it.each(rows)('$label', ({ before, after, corrections, rule, pass }) => {
    const decision = applyGate(before, after, corrections ?? noCorrections);
    expect(check(decision, rule).pass).toBe(pass);
    expect(decision.pass).toBe(pass);
    expect(decision.decidingRule).toBe(pass ? 'all-rules-passed' : rule);
  });
});

describe('applyGate: decisions', () => {
  it('runs every check, in order, and names the first failing rule', () => {
    const before = metrics({ accuracy: 0.9, intents: { greet: [0.9, 10], refund: [0.9, 10] } });
    const after = metrics({ accuracy: 0.8, intents: { greet: [0.9, 10], refund: [0.5, 10] } });
    const decision = applyGate(before, after, { total: 4, nowRight: 1 });

    expect(decision.checks.map((c) => [c.rule, c.pass])).toEqual([
      ['intent-accuracy', false],
      ['entity-f1', true],
      ['intent-f1', false],
      ['oos-recall', true],
      ['corrections-fixed', false],
    ]);
    expect(decision.decidingRule).toBe('intent-accuracy');
    expect(check(decision, 'intent-accuracy').detail).toContain('0.900 -> 0.800 (-10.0 pts');
    expect(decision.rules).toEqual(defaultGateRules);
  });

  it('names every regressed intent, worst first, and leaves the rest out', () => {
    const before = metrics({
      intents: { greet: [0.9, 10], refund: [0.9, 10], cancel_order: [0.95, 12] },
    });
    const after = metrics({
      intents: { greet: [0.88, 10], refund: [0.8, 10], cancel_order: [0.4, 12] },
    });
    const detail = check(applyGate(before, after, noCorrections), 'intent-f1').detail;
    expect(detail).toMatch(/cancel_order F1 0\.950 -> 0\.400 \(-55\.0 pts, support 12\); refund/);
    expect(detail).not.toContain('greet');
  });

  it('rejects a candidate trained on poisoned corrections and says which intent regressed', () => {
    // C12 poisoned variant: the candidate now calls cancel_order paraphrases greet.
    const gold = [
      ...Array.from({ length: 8 }, () => 'cancel_order'),
      ...Array.from({ length: 8 }, () => 'greet'),
      ...Array.from({ length: 84 }, () => 'order_status'),
    ];
    const active = evaluate(gold.map((g) => item(g, g)));
    const candidate = evaluate(gold.map((g) => item(g, g === 'cancel_order' ? 'greet' : g)));
    const decision = applyGate(active, candidate, { total: 30, nowRight: 30 });

    expect(decision.pass).toBe(false);
    expect(check(decision, 'intent-f1').pass).toBe(false);
    expect(check(decision, 'intent-f1').detail).toContain('cancel_order F1 1.000 -> 0.000');
  });

  it('skips the entity and OOS rules when the test set has none', () => {
    const none = evaluate([item('greet', 'greet')]);
    const decision = applyGate(none, none, noCorrections);
    expect(check(decision, 'entity-f1')).toMatchObject({
      pass: true,
      detail: expect.stringMatching(/no entities/),
    });
    expect(check(decision, 'oos-recall')).toMatchObject({
      pass: true,
      detail: expect.stringMatching(/no out-of-scope/),
    });
  });

  it('applies custom rules', () => {
    const strict = resolveGateRules({ maxAccuracyDrop: 0 });
    const before = metrics({ accuracy: 0.9 });
    const after = metrics({ accuracy: 0.899 });
    expect(applyGate(before, after, noCorrections).pass).toBe(true);
    expect(applyGate(before, after, noCorrections, strict).decidingRule).toBe('intent-accuracy');
  });
});

describe('applyGate: invalid input', () => {
  it('refuses rules out of range', () => {
    const bad: GateRules = { ...defaultGateRules, maxIntentF1Drop: 5 };
    expect(errorCode(() => applyGate(metrics({}), metrics({}), noCorrections, bad))).toBe(
      'CONFIG_INVALID',
    );
    expect(errorCode(() => resolveGateRules({ minSupportForIntentRule: 0.5 }))).toBe(
      'CONFIG_INVALID',
    );
  });

  it('refuses evaluations of different test sets', () => {
    const other = { ...metrics({}), count: 99 };
    expect(errorCode(() => applyGate(metrics({}), other, noCorrections))).toBe('DATA_INVALID');
    const otherSupport = metrics({ intents: { greet: [0.9, 11] } });
    expect(errorCode(() => applyGate(metrics({}), otherSupport, noCorrections))).toBe(
      'DATA_INVALID',
    );
  });

  it('refuses more corrections right than there are', () => {
    expect(errorCode(() => applyGate(metrics({}), metrics({}), { total: 2, nowRight: 3 }))).toBe(
      'DATA_INVALID',
    );
  });
});

describe('describeRules', () => {
  it('states the default rules in points', () => {
    expect(describeRules(defaultGateRules)).toEqual([
      'Intent accuracy may fall at most 0.5 points below the active model.',
      'Entity F1 (exact spans, all types) may fall at most 0.5 points below the active model.',
      'No intent with at least 5 test examples may lose more than 5 points of F1.',
      'Out-of-scope recall may fall at most 2 points below the active model.',
      'At least 50% of the held-out corrections must now be right (skipped when there are none).',
    ]);
  });

  it('follows the configured values', () => {
    const lines = describeRules({
      ...defaultGateRules,
      maxAccuracyDrop: 0.01,
      minSupportForIntentRule: 8,
    });
    expect(lines[0]).toContain('at most 1 point below');
    expect(lines[2]).toContain('at least 8 test examples');
  });
});
