/**
 * Field cases C01, C02, C04, C05, C06 and C08 (../shared/cases.md) against the SHIPPED default
 * model in models/default/model. The tests load the committed artifact; they never train it
 * (scripts/train-default.ts does).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNluEngine, type LoadedNluEngine } from '../../src/nlu/runtime.js';
import type { Prediction } from '../../src/nlu/types.js';

const MODEL =
  process.env.PARLEY_TEST_MODEL ?? new URL('../../models/default/model', import.meta.url).pathname;
let engine: LoadedNluEngine;

beforeAll(async () => {
  engine = await loadNluEngine(MODEL);
});

afterAll(async () => {
  await engine.release();
});

/** The entities of one type as [value, start, end]. */
function spans(prediction: Prediction, type: string): [string, number, number][] {
  return prediction.entities.filter((e) => e.type === type).map((e) => [e.value, e.start, e.end]);
}

function expectConsistentOffsets(prediction: Prediction): void {
  for (const entity of prediction.entities) {
    expect(prediction.text.slice(entity.start, entity.end)).toBe(entity.value);
  }
}

describe('C01: emoji before an entity', () => {
  it('keeps UTF-16 offsets after plain emoji', async () => {
    const prediction = await engine.predict('😀😀 refund for order A1234 please');
    expect(prediction.intent.name).toBe('refund_request');
    expect(spans(prediction, 'order_id')).toEqual([['A1234', 22, 27]]);
  });

  it('keeps UTF-16 offsets after ZWJ families, flags and skin tones', async () => {
    const prediction = await engine.predict('👩‍👩‍👧 🇩🇪 👍🏽 where is order B5678?');
    expect(prediction.intent.name).toBe('order_status');
    expect(spans(prediction, 'order_id')).toEqual([['B5678', 34, 39]]);
  });

  it('always slices entity values out of the text, whatever emoji surround them', async () => {
    const emoji = fc.constantFrom('😀', '👩‍👩‍👧', '🇩🇪', '👍🏽', '❤️', '🎉', 'é', ' ', '  ');
    await fc.assert(
      fc.asyncProperty(
        fc.array(emoji, { maxLength: 6 }),
        fc.array(emoji, { maxLength: 6 }),
        async (before, after) => {
          const text = `${before.join('')} order A1234 ${after.join('')}`;
          const prediction = await engine.predict(text);
          expectConsistentOffsets(prediction);
          const start = text.indexOf('A1234');
          expect(spans(prediction, 'order_id')).toEqual([['A1234', start, start + 5]]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('C02: trailing punctuation stays out of the entity', () => {
  const cases: [string, string, string, number, number][] = [
    ['where is my order A1234?', 'order_id', 'A1234', 18, 23],
    ['order A1234, please refund it', 'order_id', 'A1234', 6, 11],
    ['(ref A1234) still missing', 'order_id', 'A1234', 5, 10],
    [
      'tracking page: https://track.example.test/p/A1234.',
      'url',
      'https://track.example.test/p/A1234',
      15,
      49,
    ],
  ];

  it.each(cases)('%s: %s = %s [%i, %i)', async (text, type, value, start, end) => {
    const prediction = await engine.predict(text);
    expect(spans(prediction, type)).toEqual([[value, start, end]]);
  });

  it('gives the same intent and values without the punctuation', async () => {
    const bare = [
      'where is my order A1234',
      'order A1234 please refund it',
      'ref A1234 still missing',
      'tracking page https://track.example.test/p/A1234',
    ];
    for (const [i, [text, type]] of cases.entries()) {
      const [withPunctuation, without] = await engine.predictBatch([text, bare[i]]);
      expect(without.intent.name, bare[i]).toBe(withPunctuation.intent.name);
      const values = (p: Prediction) => spans(p, type).map(([value]) => value);
      expect(values(without), bare[i]).toEqual(values(withPunctuation));
    }
  });
});

describe('C04: typographic apostrophe and invisible characters', () => {
  it('treats U+2019 like a plain apostrophe', async () => {
    const [curly, plain] = await engine.predictBatch([
      'I don’t have order B-7731 yet',
      "I don't have order B-7731 yet",
    ]);
    expect(curly.intent.name).toBe(plain.intent.name);
    expect(Math.abs(curly.intent.confidence - plain.intent.confidence)).toBeLessThan(1e-6);
    expect(spans(curly, 'order_id')).toEqual([['B-7731', 19, 25]]);
    expect(spans(plain, 'order_id')).toEqual([['B-7731', 19, 25]]);
  });

  it('keeps a zero-width space out of an e-mail address', async () => {
    const prediction = await engine.predict('my email is user@example.test\u200b thanks');
    expect(spans(prediction, 'email')).toEqual([['user@example.test', 12, 29]]);
  });

  it('separates words at a zero-width space', async () => {
    const prediction = await engine.predict('refund order\u200bA1234');
    expect(spans(prediction, 'order_id')).toEqual([['A1234', 13, 18]]);
  });

  it('reads a no-break space like a space', async () => {
    const [nbsp, space] = await engine.predictBatch([
      'refund\u00a0order A1234',
      'refund order A1234',
    ]);
    expect(nbsp.intent.name).toBe(space.intent.name);
    expect(Math.abs(nbsp.intent.confidence - space.intent.confidence)).toBeLessThan(1e-6);
    expect(nbsp.entities).toEqual(space.entities);
  });
});

describe('C05: numbers glued to a currency', () => {
  const cases: [string, [string, string, number, number][]][] = [
    [
      'I was charged 100$ twice',
      [
        ['amount', '100', 14, 17],
        ['currency', '$', 17, 18],
      ],
    ],
    [
      'please refund €49,99 to my card',
      [
        ['currency', '€', 14, 15],
        ['amount', '49,99', 15, 20],
      ],
    ],
    [
      'the bill says $1,299.50',
      [
        ['currency', '$', 14, 15],
        ['amount', '1,299.50', 15, 23],
      ],
    ],
    [
      'they took USD120 from me',
      [
        ['currency', 'USD', 10, 13],
        ['amount', '120', 13, 16],
      ],
    ],
  ];

  it.each(cases)('%s', async (text, expected) => {
    const prediction = await engine.predict(text);
    const found = prediction.entities
      .filter((e) => e.type === 'amount' || e.type === 'currency')
      .map((e) => [e.type, e.value, e.start, e.end]);
    expect(found).toEqual(expected);
  });
});

describe('C06: empty and whitespace-only messages', () => {
  it.each(['', '   ', '\n\t', '\u200b'])(
    'predict(%j) is out_of_scope with no entities',
    async (text) => {
      const prediction = await engine.predict(text);
      expect(prediction.intent.name).toBe('out_of_scope');
      expect(prediction.entities).toEqual([]);
      expect(prediction.modelVersion).toBe(engine.version);
    },
  );
});

describe('C08: off-topic messages end out of scope', () => {
  it.each([
    "what's for breakfast today?",
    'tell me a joke about penguins',
    'asdf qwer zxcv',
    '¿qué hora es en Tokio?',
  ])('%s', async (text) => {
    const prediction = await engine.predict(text);
    expect(prediction.intent.name).toBe('out_of_scope');
  });

  it('stores the threshold it applies with the model', () => {
    expect(engine.threshold).toBe(engine.manifest.calibration.threshold);
    expect(engine.manifest.calibration.criterion).toMatch(/macro-F1/);
  });
});
