import { ParleyError } from '../core/errors.js';
import { entitiesMatch, type EvalItem } from './metrics.js';

/**
 * One example whose outcome changed between the active model (before) and the candidate (after).
 * An example is "right" when its intent is right and its entity spans equal gold exactly.
 */
export interface ExampleDiff {
  /** Shown in reports as is, so the caller redacts it first. */
  text: string;
  goldIntent: string;
  beforeIntent: string;
  afterIntent: string;
  entitiesRightBefore: boolean;
  entitiesRightAfter: boolean;
}

export interface PredictionDiff {
  /** Wrong before, right after. */
  fixed: ExampleDiff[];
  /** Right before, wrong after. */
  broke: ExampleDiff[];
  /** Right after, whether or not it was right before. */
  nowRight: number;
  total: number;
}

/**
 * Compares two evaluations of the same items, in the same order (the frozen held-out set or the
 * held-out corrections). `redact` is applied to every text that goes into the result.
 */
export function diffPredictions(
  before: EvalItem[],
  after: EvalItem[],
  redact: (text: string) => string = (text) => text,
): PredictionDiff {
  if (before.length !== after.length) {
    throw new ParleyError(
      'DATA_INVALID',
      `diffPredictions() got ${before.length} items before and ${after.length} after; evaluate both models on the same set`,
    );
  }

  const result: PredictionDiff = { fixed: [], broke: [], nowRight: 0, total: before.length };
  before.forEach((b, i) => {
    const a = after[i];
    if (a.text !== b.text || a.gold.intent !== b.gold.intent) {
      throw new ParleyError(
        'DATA_INVALID',
        `diffPredictions() item ${i} differs between before and after (text or gold intent); evaluate both models on the same set in the same order`,
      );
    }

    const wasRight = isRight(b);
    const isNowRight = isRight(a);
    if (isNowRight) result.nowRight += 1;
    if (wasRight === isNowRight) return;
    (isNowRight ? result.fixed : result.broke).push(toDiff(b, a, redact));
  });
  return result;
}

export function isRight(item: EvalItem): boolean {
  return (
    item.gold.intent === item.predicted.intent &&
    entitiesMatch(item.gold.entities, item.predicted.entities)
  );
}

function toDiff(before: EvalItem, after: EvalItem, redact: (text: string) => string): ExampleDiff {
  return {
    text: redact(before.text),
    goldIntent: before.gold.intent,
    beforeIntent: before.predicted.intent,
    afterIntent: after.predicted.intent,
    entitiesRightBefore: entitiesMatch(before.gold.entities, before.predicted.entities),
    entitiesRightAfter: entitiesMatch(after.gold.entities, after.predicted.entities),
  };
}
