import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import {
  CLS_ID,
  DEFAULT_FEATURIZER_CONFIG,
  Featurizer,
  PAD_ID,
  SHAPE_FEATURES,
  UNKNOWN_WORD_ID,
  murmur3,
  type Encoded,
} from '../../src/nlu/featurize.js';

const TRAINING = [
  'where is my order A1234?',
  "I don't have my refund yet",
  'refund order B-7731 please',
  'I was charged 100$ twice',
  'cancel my order',
  'hi there',
];
const EXTRAS = {
  regexes: [{ name: 'order_id', pattern: '\\b[A-Z]-?\\d{4}\\b' }],
  lookups: [{ name: 'product', values: ['gift card', 'Phone'] }],
};
const PROBES = [
  '😀😀 refund for order A1234 please',
  'I don’t have order B-7731 yet',
  'my gift card and phone, please https://track.example.test/p/A1234.',
  '東京 €49,99',
  '',
];

const fit = () => Featurizer.fit(TRAINING, { hashBuckets: 4096, seed: 7 }, EXTRAS);

function row(encoded: Encoded, k: number, index: number): number[] {
  return Array.from(encoded.featureIds.slice(index * k, (index + 1) * k));
}

function names(featurizer: Featurizer, ids: number[]): string[] {
  return ids.filter((id) => id !== PAD_ID).map((id) => featurizer.describe(id));
}

describe('murmur3', () => {
  it('matches the reference test vectors', () => {
    const utf8 = (text: string) => new TextEncoder().encode(text);
    expect(murmur3(utf8(''), 0)).toBe(0);
    expect(murmur3(utf8(''), 1)).toBe(0x514e28b7);
    expect(murmur3(utf8('hello'), 0)).toBe(0x248bfa47);
    expect(murmur3(utf8('The quick brown fox jumps over the lazy dog'), 0)).toBe(0x2e4ff723);
  });
});

describe('Featurizer', () => {
  it('lays out pad, CLS, words, hashes, shapes and patterns in one id space', () => {
    const featurizer = fit();
    const vocabulary = featurizer.vocab.length;
    expect(featurizer.ngramBase).toBe(3 + vocabulary);
    expect(featurizer.shapeBase).toBe(featurizer.ngramBase + 4096);
    expect(featurizer.patternBase).toBe(featurizer.shapeBase + SHAPE_FEATURES.length);
    expect(featurizer.featureCount).toBe(featurizer.patternBase + 2);
    expect(featurizer.vocab).toContain('refund');
    expect(featurizer.vocab).not.toContain('a1234');
  });

  it('puts CLS alone in row 0 and pads every row with zeros', () => {
    const featurizer = fit();
    const k = DEFAULT_FEATURIZER_CONFIG.maxFeaturesPerToken;
    const encoded = featurizer.encode('where is order A1234?');
    expect(encoded.length).toBe(encoded.tokens.length + 1);
    expect(encoded.featureIds.length).toBe(encoded.length * k);
    expect(row(encoded, k, 0)).toEqual([CLS_ID, ...new Array(k - 1).fill(PAD_ID)]);

    for (let r = 1; r < encoded.length; r += 1) {
      const ids = row(encoded, k, r);
      const used = ids.filter((id) => id !== PAD_ID);
      expect(new Set(used).size).toBe(used.length);
      expect(ids.slice(used.length).every((id) => id === PAD_ID)).toBe(true);
      expect(used).not.toContain(CLS_ID);
    }
  });

  it('keeps every id in [0, featureCount)', () => {
    const featurizer = fit();
    for (const text of PROBES) {
      for (const id of featurizer.encode(text).featureIds) {
        expect(id).toBeGreaterThanOrEqual(0);
        expect(id).toBeLessThan(featurizer.featureCount);
      }
    }
  });

  it('encodes an empty text as the CLS row alone', () => {
    const encoded = fit().encode('');
    expect(encoded.length).toBe(1);
    expect(encoded.tokens).toEqual([]);
    expect(encoded.truncated).toBe(false);
  });

  it('marks words, shapes, regex and lookup matches', () => {
    const featurizer = fit();
    const k = DEFAULT_FEATURIZER_CONFIG.maxFeaturesPerToken;
    const encoded = featurizer.encode('refund B-7731 for my gift card 😀');
    const [refund, orderId, , , gift, card, emoji] = encoded.tokens.map((_, i) =>
      names(featurizer, row(encoded, k, i + 1)),
    );
    expect(refund).toContain('word:refund');
    expect(orderId).toEqual(
      expect.arrayContaining([
        '__UNK__',
        'shape:letters+digits',
        'shape:digits:4-5',
        'regex:order_id',
      ]),
    );
    expect(gift).toContain('lookup:product');
    expect(card).toContain('lookup:product');
    expect(refund).not.toContain('lookup:product');
    expect(emoji).toContain('shape:kind:emoji');
  });

  it('marks every match of a regex that can also match nothing, past astral characters', () => {
    const featurizer = Featurizer.fit(
      ['x'],
      {},
      { regexes: [{ name: 'digits', pattern: '\\d*' }] },
    );
    const k = DEFAULT_FEATURIZER_CONFIG.maxFeaturesPerToken;
    const encoded = featurizer.encode('😀 12 ab 345 😀 6');
    const marked = encoded.tokens.map((_, i) =>
      names(featurizer, row(encoded, k, i + 1)).includes('regex:digits'),
    );
    expect(marked).toEqual([false, true, false, true, false, true]);
  });

  it('gives unseen words the unknown-word id', () => {
    const featurizer = fit();
    expect(featurizer.wordId('zebra')).toBe(UNKNOWN_WORD_ID);
    expect(featurizer.wordId('refund')).toBeGreaterThan(UNKNOWN_WORD_ID);
  });

  it('gives the typographic apostrophe the same features as the plain one', () => {
    const featurizer = fit();
    const typographic = featurizer.encode('I don’t have order B-7731 yet');
    const plain = featurizer.encode("I don't have order B-7731 yet");
    expect(Array.from(typographic.featureIds)).toEqual(Array.from(plain.featureIds));
  });

  it('truncates to maxTokens and says so', () => {
    const featurizer = Featurizer.fit(TRAINING, { maxTokens: 4 });
    const encoded = featurizer.encode('one two three four five six');
    expect(encoded.truncated).toBe(true);
    expect(encoded.tokens.map((t) => t.text)).toEqual(['one', 'two', 'three', 'four']);
    expect(encoded.length).toBe(5);
    expect(encoded.featureIds.length).toBe(5 * DEFAULT_FEATURIZER_CONFIG.maxFeaturesPerToken);
    expect(featurizer.encode('one two three four').truncated).toBe(false);
  });

  it('caps a row at K features', () => {
    const featurizer = Featurizer.fit(TRAINING, { maxFeaturesPerToken: 6 });
    const encoded = featurizer.encode('supercalifragilistic');
    expect(encoded.featureIds.length).toBe(12);
    expect(Array.from(encoded.featureIds.slice(6)).every((id) => id !== PAD_ID)).toBe(true);
  });

  it('round-trips through JSON with identical encodings', () => {
    const featurizer = fit();
    const restored = Featurizer.fromJSON(JSON.parse(JSON.stringify(featurizer.toJSON())));
    expect(restored.featureCount).toBe(featurizer.featureCount);
    for (const text of PROBES) {
      expect(Array.from(restored.encode(text).featureIds)).toEqual(
        Array.from(featurizer.encode(text).featureIds),
      );
    }
  });

  it('changes the hashed ids with the seed', () => {
    const a = Featurizer.fit(TRAINING, { seed: 1 }).encode('refund');
    const b = Featurizer.fit(TRAINING, { seed: 2 }).encode('refund');
    expect(Array.from(a.featureIds)).not.toEqual(Array.from(b.featureIds));
  });

  it('rejects bad configuration and foreign JSON with stable codes', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isParleyError(err) ? err.code : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => Featurizer.fit([], { ngramMin: 3, ngramMax: 2 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => Featurizer.fit([], { hashBuckets: 0 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => Featurizer.fromJSON({ format: 'other' }))).toBe('MODEL_INVALID');
    expect(codeOf(() => Featurizer.fit([], {}, { regexes: [{ name: 'bad', pattern: '(' }] }))).toBe(
      'DATA_INVALID',
    );
  });

  it('gives the same ids in another process', () => {
    const featurizer = fit();
    const here = PROBES.map((text) => Array.from(featurizer.encode(text).featureIds));
    const module = fileURLToPath(new URL('../../src/nlu/featurize.ts', import.meta.url));
    const script = `
      import { Featurizer } from ${JSON.stringify(module)};
      const featurizer = Featurizer.fromJSON(JSON.parse(process.argv[1]));
      const probes = JSON.parse(process.argv[2]);
      console.log(JSON.stringify(probes.map((t) => Array.from(featurizer.encode(t).featureIds))));
    `;
    const output = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        JSON.stringify(featurizer.toJSON()),
        JSON.stringify(PROBES),
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(output)).toEqual(here);
  });
});
