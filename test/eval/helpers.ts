import type { EvalItem, EvalSpan } from '../../src/eval/metrics.js';

/** One evaluation item from a gold and a predicted intent, with optional entity spans. */
export function item(
  gold: string,
  predicted: string,
  entities: { gold?: EvalSpan[]; predicted?: EvalSpan[] } = {},
  text = `${gold} -> ${predicted}`,
): EvalItem {
  return {
    text,
    gold: { intent: gold, entities: entities.gold ?? [] },
    predicted: { intent: predicted, entities: entities.predicted ?? [] },
  };
}

export function span(type: string, start: number, end: number): EvalSpan {
  return { type, start, end };
}
