import { describe, expect, it } from 'vitest';
import type { ExampleDiff } from '../../src/eval/diff.js';
import { applyGate, defaultGateRules, describeRules } from '../../src/eval/gate.js';
import { evaluate, type EvalItem } from '../../src/eval/metrics.js';
import {
  comparisonHeadline,
  duration,
  renderClassificationReport,
  renderComparisonReport,
  type ComparisonReportInput,
} from '../../src/eval/report.js';
import { item, span } from './helpers.js';

describe('renderClassificationReport', () => {
  it('prints the hand-computed scores in scikit-learn layout', () => {
    // the six-item case worked out in metrics.test.ts
    const e = evaluate([
      item('greet', 'greet'),
      item('greet', 'greet'),
      item('greet', 'goodbye'),
      item('goodbye', 'goodbye'),
      item('refund', 'goodbye'),
      item('refund', 'refund'),
    ]);
    const md = renderClassificationReport(e);
    expect(md).toContain('| intent | precision | recall | f1-score | support |');
    expect(md).toContain('| goodbye | 0.333 | 1.000 | 0.500 | 1 |');
    expect(md).toContain('| greet | 1.000 | 0.667 | 0.800 | 3 |');
    expect(md).toContain('| **accuracy** |  |  | 0.667 | 6 |');
    expect(md).toContain('| **macro avg** | 0.778 | 0.722 | 0.656 | 6 |');
    expect(md).toContain('| **weighted avg** | 0.889 | 0.667 | 0.706 | 6 |');
    expect(md).toContain('Entities: none in the test set or the predictions.');
    expect(md).toContain('Out of scope: not in the test set');
  });

  it('adds an entity table per type and the out-of-scope line', () => {
    // order_id: tp 1, predicted 1, gold 2 -> P 1, R 0.5, F1 0.667
    const e = evaluate([
      item('refund', 'refund', {
        gold: [span('order_id', 0, 5)],
        predicted: [span('order_id', 0, 5)],
      }),
      item('refund', 'refund', { gold: [span('order_id', 0, 5)] }),
      item('out_of_scope', 'out_of_scope'),
      item('out_of_scope', 'refund'),
    ]);
    const md = renderClassificationReport(e);
    expect(md).toContain('| order_id | 1.000 | 0.500 | 0.667 | 2 |');
    expect(md).toContain('| **micro avg** | 1.000 | 0.500 | 0.667 | 2 |');
    expect(md).toContain(
      'Out of scope (`out_of_scope`): precision 1.000, recall 0.500, support 2.',
    );
  });
});

function diffOf(text: string, gold: string, before: string, after: string): ExampleDiff {
  return {
    text,
    goldIntent: gold,
    beforeIntent: before,
    afterIntent: after,
    entitiesRightBefore: true,
    entitiesRightAfter: true,
  };
}

function scenario(candidate: (gold: string) => string, extra: Partial<ComparisonReportInput> = {}) {
  // 10 cancel_order, 10 refund (with an order id), 5 out_of_scope
  const gold = [
    ...Array.from({ length: 10 }, () => 'cancel_order'),
    ...Array.from({ length: 10 }, () => 'refund'),
    ...Array.from({ length: 5 }, () => 'out_of_scope'),
  ];
  const withEntities = (g: string, p: string): EvalItem => {
    const spans = g === 'refund' ? [span('order_id', 7, 12)] : [];
    return item(g, p, { gold: spans, predicted: spans });
  };
  const before = evaluate(gold.map((g) => withEntities(g, g)));
  const after = evaluate(gold.map((g) => withEntities(g, candidate(g))));
  const input: ComparisonReportInput = {
    before,
    after,
    gate: applyGate(before, after, { total: 4, nowRight: 3 }),
    fixed: [],
    broke: [],
    trainingSeconds: 125.4,
    latencyMs: { before: { p50: 2.1, p99: 8.02 }, after: { p50: 2.3, p99: 7.5 } },
    runId: 'run-42',
    candidateVersion: 'v7',
    activeVersion: 'v6',
    ...extra,
  };
  return input;
}

describe('renderComparisonReport', () => {
  it('reports a promotion with before and after figures, times and the rules', () => {
    const input = scenario((g) => g);
    const md = renderComparisonReport(input);
    expect(md).toMatch(/^# Retraining report, run `run-42`/);
    expect(md).toContain('**Promoted.** Candidate `v7` replaces active model `v6`');
    expect(md).toContain('| intent accuracy | 1.000 | 1.000 | ±0.0 pts |');
    expect(md).toContain('| entity F1, order_id | 1.000 | 1.000 | ±0.0 pts |');
    expect(md).toContain('| out-of-scope recall | 1.000 | 1.000 | ±0.0 pts |');
    expect(md).toContain('Training the candidate took 2 min 5 s.');
    expect(md).toContain('| inference latency p99 | 8.0 ms | 7.5 ms | -0.5 ms |');
    expect(md).toContain('No intent was mistaken for another.');
    for (const line of describeRules(defaultGateRules)) expect(md).toContain(line);
    expect(comparisonHeadline(input).verdict).toBe('promoted');
  });

  it('says which intent regressed and that the run was not promoted (C12 poisoned)', () => {
    const input = scenario((g) => (g === 'cancel_order' ? 'greet' : g), {
      broke: [diffOf('cancel my subscription', 'cancel_order', 'cancel_order', 'greet')],
    });
    const md = renderComparisonReport(input);

    expect(md).toContain('**Not promoted.** Active model `v6` stays');
    expect(md).toMatch(/Deciding rule: `intent-accuracy`/);
    expect(md).toMatch(/\| cancel_order \| 10 \| 1\.000 \/ 0\.000 \| .*\| \*\*regressed\*\* \|/);
    expect(md).toMatch(/\| `intent-f1` \| \*\*fail\*\* \| .*cancel_order F1 1\.000 -> 0\.000/);
    expect(md).toContain('| cancel_order | greet | 0 | 10 |');
    expect(md).toContain('Broke: 1 example the active model got right now wrong.');
    expect(md).toContain('| `cancel my subscription` | cancel_order | cancel_order | greet |');

    const headline = comparisonHeadline(input);
    expect(headline.verdict).toBe('rejected');
    expect(headline.summary).toContain('v6 stays active');
  });

  it('shows at most five examples of each kind, with texts kept inside one table cell', () => {
    const fixed = Array.from({ length: 7 }, (_, i) =>
      diffOf(`fixed ${i}`, 'refund', 'greet', 'refund'),
    );
    const tricky = diffOf('a | b\n`c` <!channel>', 'refund', 'refund', 'greet');
    const md = renderComparisonReport(scenario((g) => g, { fixed, broke: [tricky] }));

    expect(md).toContain('Fixed (first 5 of 7):');
    expect(md).toContain('`fixed 4`');
    expect(md).not.toContain('`fixed 5`');
    expect(md).toContain("| `a \\| b 'c' <!channel>` | refund | refund | greet |");
  });

  it('shortens long texts and marks wrong entities', () => {
    const long = {
      ...diffOf('x'.repeat(300), 'refund', 'refund', 'refund'),
      entitiesRightBefore: false,
    };
    const md = renderComparisonReport(scenario((g) => g, { fixed: [long] }));
    expect(md).toContain(`\`${'x'.repeat(119)}…\``);
    expect(md).toContain('| refund (entities wrong) | refund |');
  });
});

describe('duration', () => {
  it.each([
    [4.25, '4.3 s'],
    [59.94, '59.9 s'],
    [125.4, '2 min 5 s'],
    [3725, '1 h 2 min'],
  ])('formats %s seconds as %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});
