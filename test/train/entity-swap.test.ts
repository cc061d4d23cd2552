import { describe, expect, it } from 'vitest';
import type { Example } from '../../src/data/example.js';
import { buildTags } from '../../src/nlu/decode.js';
import { Featurizer } from '../../src/nlu/featurize.js';
import { EntitySwapper } from '../../src/train/entity-swap.js';
import { createRng } from '../../src/train/rng.js';
import { entitySwapping, prepareOne, type Labels } from '../../src/train/trainer.js';
import { tagTokens } from '../../src/train/training-data.js';
import { example } from '../nlu/toy.js';

const TRIPS: Example[] = [
  example('fly from boston to denver', 'flight', [
    ['from', 'boston'],
    ['to', 'denver'],
  ]),
  example('fares from new york to dallas', 'airfare', [
    ['from', 'new york'],
    ['to', 'dallas'],
  ]),
  example('ground transport in miami', 'ground', [['city', 'miami']]),
  example('hello', 'greet'),
];

describe('EntitySwapper', () => {
  it('pools the distinct mentions of each type, sorted, and leaves out types with one', () => {
    const swapper = EntitySwapper.fromExamples([...TRIPS, TRIPS[0]]);
    expect(swapper.mentionsOf('from')).toEqual(['boston', 'new york']);
    expect(swapper.mentionsOf('to')).toEqual(['dallas', 'denver']);
    expect(swapper.mentionsOf('city')).toEqual([]);
  });

  it('rewrites the text and moves every offset so each value is the text it spans', () => {
    const swapper = EntitySwapper.fromExamples(TRIPS);
    const swapped = swapper.swap(TRIPS[0], 1, fixedDraws([0, 0.9, 0, 0]))!;
    // first mention: 0 < 1 swaps, index floor(0.9 * 2) = 1 -> "new york"; second: index 0
    expect(swapped.text).toBe('fly from new york to dallas');
    expect(swapped.entities).toEqual([
      { type: 'from', value: 'new york', start: 9, end: 17 },
      { type: 'to', value: 'dallas', start: 21, end: 27 },
    ]);
    for (const e of swapped.entities) expect(swapped.text.slice(e.start, e.end)).toBe(e.value);
    expect(swapped.intent).toBe('flight');
    expect(TRIPS[0].text).toBe('fly from boston to denver');
  });

  it('keeps mentions whose draw says no, and their synonym mapping', () => {
    const withSynonym: Example = {
      ...TRIPS[1],
      entities: [{ ...TRIPS[1].entities[0], normalized: 'NYC' }, TRIPS[1].entities[1]],
    };
    const swapper = EntitySwapper.fromExamples(TRIPS);
    // first mention: 0.7 >= 0.5 keeps it; second: 0.2 < 0.5 swaps to index floor(0.6 * 2) = 1
    const swapped = swapper.swap(withSynonym, 0.5, fixedDraws([0.7, 0.2, 0.6]))!;
    expect(swapped.text).toBe('fares from new york to denver');
    expect(swapped.entities[0]).toEqual({
      type: 'from',
      value: 'new york',
      start: 11,
      end: 19,
      normalized: 'NYC',
    });
    expect(swapped.entities[1]).toEqual({ type: 'to', value: 'denver', start: 23, end: 29 });
  });

  it('drops the synonym mapping of a mention it replaces', () => {
    const withSynonym: Example = {
      ...TRIPS[1],
      entities: [{ ...TRIPS[1].entities[0], normalized: 'NYC' }, TRIPS[1].entities[1]],
    };
    const swapped = EntitySwapper.fromExamples(TRIPS).swap(
      withSynonym,
      1,
      fixedDraws([0, 0, 0.9, 0.9]),
    )!;
    expect(swapped.entities[0]).toEqual({ type: 'from', value: 'boston', start: 11, end: 17 });
  });

  it('returns undefined when nothing changes: rate 0, no entities, same text drawn', () => {
    const swapper = EntitySwapper.fromExamples(TRIPS);
    expect(swapper.swap(TRIPS[0], 0, createRng(1))).toBeUndefined();
    expect(swapper.swap(TRIPS[3], 1, createRng(1))).toBeUndefined();
    // a lone mention type has nothing to swap with
    expect(swapper.swap(TRIPS[2], 1, createRng(1))).toBeUndefined();
    // both draws pick the mention already there
    expect(swapper.swap(TRIPS[0], 1, fixedDraws([0, 0, 0, 0.9]))).toBeUndefined();
  });

  it('leaves examples with overlapping entities alone', () => {
    const overlapping: Example = {
      text: 'new york city',
      intent: 'x',
      entities: [
        { type: 'from', value: 'new york', start: 0, end: 8 },
        { type: 'to', value: 'york city', start: 4, end: 13 },
      ],
    };
    expect(EntitySwapper.fromExamples(TRIPS).swap(overlapping, 1, createRng(3))).toBeUndefined();
  });

  it('reads entities in text order whatever order they are listed in', () => {
    const reversed: Example = { ...TRIPS[0], entities: [...TRIPS[0].entities].reverse() };
    const swapped = EntitySwapper.fromExamples(TRIPS).swap(
      reversed,
      1,
      fixedDraws([0, 0.9, 0, 0]),
    )!;
    expect(swapped.text).toBe('fly from new york to dallas');
  });

  it('gives the same swaps for the same seed, and every pooled mention over many draws', () => {
    const swapper = EntitySwapper.fromExamples(TRIPS);
    const run = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 50 }, () => swapper.swap(TRIPS[0], 0.5, rng)?.text ?? '-');
    };
    expect(run(5)).toEqual(run(5));
    const texts = new Set(run(5));
    for (const text of [
      '-',
      'fly from new york to denver',
      'fly from boston to dallas',
      'fly from new york to dallas',
    ]) {
      expect(texts.has(text), text).toBe(true);
    }
  });
});

describe('entity swapping in training epochs', () => {
  it('undoes a swap whose spans no longer match the tokens ("5€" -> "5euro")', () => {
    const data = [
      example('refund 5€ please', 'refund', [
        ['amount', '5'],
        ['currency', '€'],
      ]),
      example('refund 7 euro please', 'refund', [
        ['amount', '7'],
        ['currency', 'euro'],
      ]),
    ];
    const featurizer = Featurizer.fit(data.map((e) => e.text));
    const tags = buildTags(['amount', 'currency']);
    const labels: Labels = {
      intents: ['refund'],
      tags,
      intentIds: new Map([['refund', 0]]),
      tagIds: new Map(tags.map((tag, i) => [tag, i])),
    };
    const trainSet = data.map((e) => prepareOne(e, featurizer, labels).item);
    const nextEpoch = entitySwapping(trainSet, featurizer, labels, 1, createRng(4));

    const texts = new Set<string>();
    for (let epoch = 0; epoch < 40; epoch++) {
      for (const item of nextEpoch()) {
        texts.add(item.example.text);
        const { misaligned } = tagTokens(item.encoded.tokens, item.example.entities, labels.tagIds);
        expect(misaligned, item.example.text).toBe(0);
      }
    }
    // the swaps that keep tokens apart still happen; the glued ones never reach training
    expect(texts).toContain('refund 7€ please');
    expect(texts).toContain('refund 5 euro please');
    expect(texts).not.toContain('refund 5euro please');
    expect(texts).not.toContain('refund 7euro please');
  });
});

/** An Rng whose next() returns the given values in turn (int(n) = floor(next() * n)). */
function fixedDraws(values: number[]) {
  const rng = createRng(1);
  let at = 0;
  const next = () => {
    if (at >= values.length) throw new Error('ran out of draws');
    return values[at++];
  };
  return { ...rng, next, int: (n: number) => Math.floor(next() * n) };
}
