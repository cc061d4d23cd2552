import type { Example } from '../data/example.js';
import type { EvalItem, Evaluation } from '../eval/metrics.js';
import type { LatencySummary } from '../eval/report.js';
import type { NluEngine } from '../nlu/types.js';
import type { MetricsSummary } from './types.js';

/**
 * Scoring one model on a labelled set, and timing it. Both models of a run are scored on the same
 * examples in the same order, so their items can be diffed pairwise.
 */

/** Messages per predictBatch call while scoring. */
const SCORE_BATCH = 32;

export async function scoreModel(
  engine: NluEngine,
  examples: readonly Example[],
): Promise<EvalItem[]> {
  const items: EvalItem[] = [];
  for (let start = 0; start < examples.length; start += SCORE_BATCH) {
    const chunk = examples.slice(start, start + SCORE_BATCH);
    const predictions = await engine.predictBatch(chunk.map((e) => e.text));
    chunk.forEach((example, i) => {
      const p = predictions[i];
      items.push({
        text: example.text,
        gold: { intent: example.intent, entities: spans(example.entities) },
        predicted: {
          intent: p.intent.name,
          confidence: p.intent.confidence,
          entities: spans(p.entities),
        },
      });
    });
  }
  return items;
}

/**
 * Milliseconds per message as the bot sees it: one `predict` at a time, over up to `samples`
 * texts (cycled when there are fewer), after a few warm-up calls.
 */
export async function measureLatency(
  engine: NluEngine,
  texts: readonly string[],
  samples = 100,
): Promise<LatencySummary> {
  if (texts.length === 0) return { p50: 0, p99: 0 };
  for (const text of texts.slice(0, 3)) await engine.predict(text);

  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await engine.predict(texts[i % texts.length]);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function summarize(e: Evaluation): MetricsSummary {
  const hasEntities = e.entities.support > 0 || e.entities.predicted > 0;
  const perIntentF1 = Object.fromEntries(
    Object.entries(e.intent.perLabel)
      .filter(([, s]) => s.support > 0)
      .map(([intent, s]) => [intent, round(s.f1)]),
  );
  return {
    count: e.count,
    intentAccuracy: round(e.intent.accuracy),
    intentMacroF1: round(e.intent.macro.f1),
    entityF1: hasEntities ? round(e.entities.f1) : null,
    oosRecall: e.outOfScope && e.outOfScope.support > 0 ? round(e.outOfScope.recall) : null,
    perIntentF1,
  };
}

/** Six decimals: enough for any test set, and JSON stays readable. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function spans(entities: readonly { type: string; start: number; end: number }[]) {
  return entities.map(({ type, start, end }) => ({ type, start, end }));
}
