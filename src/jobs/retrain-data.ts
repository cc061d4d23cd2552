import type { EntityAnnotation, Example } from '../data/example.js';
import type { Split, TrainingExampleRow } from '../registry/ports.js';

/**
 * The data of one retraining run, assembled from the stored examples (base, imported, and
 * feedback from earlier promoted runs, each with its frozen split) and the feedback accepted
 * since the last run.
 *
 * - Train: every stored train-split example, plus the new feedback whose text falls in the train
 *   split. The base data is always replayed, so fine-tuning on a few intents does not make the
 *   model forget the rest (case C12). A new label for a stored text replaces the stored one.
 * - Test: every stored test-split example, the same frozen set for the active model and the
 *   candidate.
 * - Held-out corrections: new corrections whose text falls in the test split. They are never
 *   trained on; the gate asks that the candidate gets enough of them right. Thumbs-up in the test
 *   split are left out (they confirm what the model already says, so they measure nothing).
 */

/** Accepted feedback as a labelled example (a correction, or a confirmed prediction). */
export interface FeedbackExample {
  feedbackId: string;
  kind: 'up' | 'correction';
  text: string;
  intent: string | null;
  /** Offsets into `text`, UTF-16, end-exclusive; `value` may be absent. */
  entities: { type: string; start: number; end: number; value?: string }[];
}

export interface TextKeys {
  /** The dedupe key of a text (the store's hash of its normalised form). */
  hash(text: string): string;
  /** The split of a text never stored before, from its hash. */
  splitOfHash(hash: string): Split;
}

export interface InvalidFeedback {
  feedbackId: string;
  problem: string;
}

export interface RunData {
  train: Example[];
  test: Example[];
  heldOut: Example[];
  /** Valid new feedback, by where it went. */
  feedback: { train: FeedbackExample[]; heldOut: FeedbackExample[]; skippedUps: FeedbackExample[] };
  invalid: InvalidFeedback[];
  /** Stored examples replayed, by origin. */
  replayed: Record<string, number>;
  /** Highest id among base and imported examples: tells whether new base data arrived. */
  dataMark: number;
}

const NAME = /^[\p{L}\p{N}_.-]{1,64}$/u;

export function assembleRunData(
  rows: readonly TrainingExampleRow[],
  feedback: readonly FeedbackExample[],
  keys: TextKeys,
): RunData {
  const storedSplit = new Map(rows.map((row) => [row.textHash, row.split]));
  const invalid: InvalidFeedback[] = [];
  const newTrain = new Map<string, FeedbackExample>();
  const heldOut: FeedbackExample[] = [];
  const skippedUps: FeedbackExample[] = [];

  for (const item of feedback) {
    const problem = feedbackProblem(item);
    if (problem) {
      invalid.push({ feedbackId: item.feedbackId, problem });
      continue;
    }
    const hash = keys.hash(item.text);
    const split = storedSplit.get(hash) ?? keys.splitOfHash(hash);
    if (split === 'train') newTrain.set(hash, item);
    else if (item.kind === 'correction') heldOut.push(item);
    else skippedUps.push(item);
  }

  const replayed: Record<string, number> = {};
  const train: Example[] = [];
  const test: Example[] = [];
  let dataMark = 0;
  for (const row of rows) {
    if (row.origin !== 'feedback') dataMark = Math.max(dataMark, row.id);
    if (row.split === 'test') {
      test.push(rowExample(row));
    } else if (!newTrain.has(row.textHash)) {
      train.push(rowExample(row));
      replayed[row.origin] = (replayed[row.origin] ?? 0) + 1;
    }
  }
  train.push(...[...newTrain.values()].map(toExample));

  return {
    train,
    test,
    heldOut: heldOut.map(toExample),
    feedback: { train: [...newTrain.values()], heldOut, skippedUps },
    invalid,
    replayed,
    dataMark,
  };
}

/** Why a feedback item cannot be trained on, or undefined when it can. */
export function feedbackProblem(item: FeedbackExample): string | undefined {
  if (item.text.trim() === '') return 'the message text is empty (deleted or redacted away)';
  if (item.intent === null || item.intent === '') {
    return item.kind === 'up'
      ? 'a thumbs-up with no stored prediction to confirm'
      : 'a correction without an intent';
  }
  if (!NAME.test(item.intent)) return `intent ${JSON.stringify(item.intent)} is not a valid name`;

  const spans = [...item.entities].sort((a, b) => a.start - b.start);
  for (const [i, e] of spans.entries()) {
    if (!NAME.test(e.type)) return `entity type ${JSON.stringify(e.type)} is not a valid name`;
    const inside =
      Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.start < e.end;
    if (!inside || e.end > item.text.length) {
      return `entity ${e.type} at [${e.start}, ${e.end}) is outside the text (length ${item.text.length})`;
    }
    if (e.value !== undefined && item.text.slice(e.start, e.end) !== e.value) {
      return `entity ${e.type} at [${e.start}, ${e.end}) does not cover its value ${JSON.stringify(e.value)}`;
    }
    if (i > 0 && e.start < spans[i - 1].end) {
      return `entities ${spans[i - 1].type} and ${e.type} overlap at ${e.start}`;
    }
  }
  return undefined;
}

function toExample(item: FeedbackExample): Example {
  const entities: EntityAnnotation[] = item.entities.map((e) => ({
    type: e.type,
    start: e.start,
    end: e.end,
    value: item.text.slice(e.start, e.end),
  }));
  return { text: item.text, intent: item.intent ?? '', entities };
}

function rowExample(row: TrainingExampleRow): Example {
  return { text: row.text, intent: row.intent, entities: row.entities };
}
