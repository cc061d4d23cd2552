import type { Example } from '../../src/data/example.js';
import { train, type TrainOptions, type TrainResult } from '../../src/train/trainer.js';

/** An example with entities given as [type, value]; offsets found in the text. */
export function example(text: string, intent: string, entities: [string, string][] = []): Example {
  return {
    text,
    intent,
    entities: entities.map(([type, value]) => {
      const start = text.indexOf(value);
      if (start < 0) throw new Error(`${value} is not in ${text}`);
      return { type, value, start, end: start + value.length };
    }),
  };
}

const ORDER_IDS = ['A1234', 'B5678', 'C9012', 'D3456', 'E7890', 'F1357'];

/** A toy shop set: three intents, one entity type, out-of-scope examples. */
export function toyExamples(): Example[] {
  const data: Example[] = [];
  for (const id of ORDER_IDS) {
    data.push(example(`where is my order ${id}`, 'order_status', [['order_id', id]]));
    data.push(example(`track order ${id} please`, 'order_status', [['order_id', id]]));
    data.push(example(`refund order ${id}`, 'refund_request', [['order_id', id]]));
    data.push(example(`I want my money back for ${id}`, 'refund_request', [['order_id', id]]));
  }
  for (const text of ['hi', 'hello there', 'hey', 'good morning', 'hello', 'hi there']) {
    data.push(example(text, 'greet'));
  }
  for (const text of ['what is the weather', 'tell me a joke', 'who won the game', 'sing a song']) {
    data.push(example(text, 'out_of_scope'));
  }
  return data;
}

/** Settings for a model small enough to train in well under a second. */
export const TINY: Pick<TrainOptions, 'model' | 'featurizer' | 'training' | 'progress'> = {
  model: { hidden: 32, layers: 1, heads: 2, ffn: 64 },
  featurizer: { hashBuckets: 1024 },
  training: { epochs: 30, devFraction: 0, batchSize: 8, learningRate: 5e-3, seed: 7 },
  progress: 'none',
};

export function trainToy(overrides: Partial<TrainOptions> = {}): Promise<TrainResult> {
  return train({
    ...TINY,
    train: toyExamples(),
    ...overrides,
    training: { ...TINY.training, ...overrides.training },
  });
}
