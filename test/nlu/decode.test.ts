import { describe, expect, it } from 'vitest';
import {
  buildTags,
  checkTagLayout,
  constrainedViterbi,
  entityTypesOf,
  pathToEntities,
} from '../../src/nlu/decode.js';
import { predictEntities } from '../../src/nlu/runtime.js';
import { tokenize } from '../../src/nlu/tokenize.js';

const tags = buildTags(['order_id', 'amount']); // O B-order_id I-order_id B-amount I-amount

/** Log-probabilities from rows of probabilities. */
function logRows(rows: number[][]): Float32Array {
  return Float32Array.from(rows.flat().map(Math.log));
}

function bruteForceBest(rows: number[][]): number[] {
  const valid = (path: number[]) =>
    path.every(
      (tag, t) =>
        tag === 0 || tag % 2 === 1 || (t > 0 && (path[t - 1] === tag || path[t - 1] === tag - 1)),
    );
  let best: number[] = [];
  let bestScore = -Infinity;
  const walk = (path: number[]) => {
    if (path.length === rows.length) {
      if (!valid(path)) return;
      const score = path.reduce((sum, tag, t) => sum + Math.log(rows[t][tag]), 0);
      if (score > bestScore) [best, bestScore] = [path.slice(), score];
      return;
    }
    for (let tag = 0; tag < rows[0].length; tag++) walk([...path, tag]);
  };
  walk([]);
  return best;
}

describe('tags', () => {
  it('keeps O at id 0 and pairs B/I per type', () => {
    expect(tags).toEqual(['O', 'B-order_id', 'I-order_id', 'B-amount', 'I-amount']);
    expect(entityTypesOf(tags)).toEqual(['order_id', 'amount']);
    expect(checkTagLayout(tags)).toBeUndefined();
  });

  it('names what is wrong with a bad tag list', () => {
    expect(checkTagLayout(['B-x', 'I-x', 'O'])).toMatch(/first tag must be "O"/);
    expect(checkTagLayout(['O', 'B-x'])).toMatch(/B\/I pairs/);
    expect(checkTagLayout(['O', 'B-x', 'I-y'])).toMatch(/must be B-x and I-x/);
  });
});

describe('constrainedViterbi', () => {
  it('never starts with an inside tag', () => {
    const rows = [
      [0.1, 0.2, 0.6, 0.05, 0.05],
      [0.1, 0.1, 0.7, 0.05, 0.05],
    ];
    const path = constrainedViterbi(logRows(rows), 2, 5);
    expect(path).toEqual([1, 2]);
  });

  it('never continues a span with the inside tag of another type', () => {
    const rows = [
      [0.05, 0.8, 0.05, 0.05, 0.05],
      [0.3, 0.05, 0.05, 0.05, 0.55],
    ];
    // I-amount after B-order_id is invalid; the best valid path ends in O.
    expect(constrainedViterbi(logRows(rows), 2, 5)).toEqual([1, 0]);
  });

  it('matches a brute-force search over valid paths', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 40; trial++) {
      const length = 1 + (trial % 5);
      const rows = Array.from({ length }, () => {
        const raw = Array.from({ length: 5 }, () => random() + 0.01);
        const sum = raw.reduce((a, b) => a + b, 0);
        return raw.map((value) => value / sum);
      });
      expect(constrainedViterbi(logRows(rows), length, 5)).toEqual(bruteForceBest(rows));
    }
  });

  it('reads rows from an offset and handles empty input', () => {
    const rows = [
      [0.9, 0.025, 0.025, 0.025, 0.025],
      [0.1, 0.6, 0.1, 0.1, 0.1],
    ];
    expect(constrainedViterbi(logRows(rows), 1, 5, 5)).toEqual([1]);
    expect(constrainedViterbi(new Float32Array(0), 0, 5)).toEqual([]);
  });
});

describe('pathToEntities', () => {
  const text = 'refund  A12 34 for 30$';
  const tokens = [
    { start: 0, end: 6 },
    { start: 8, end: 11 },
    { start: 12, end: 14 },
    { start: 15, end: 18 },
    { start: 19, end: 21 },
    { start: 21, end: 22 },
  ];

  it('spans from the first token start to the last token end, with the mean probability', () => {
    const probs = [0.9, 0.8, 0.6, 0.9, 0.7, 0.5];
    const entities = pathToEntities(text, tokens, [0, 1, 2, 0, 3, 0], tags, (t) => probs[t]);
    expect(entities).toEqual([
      { type: 'order_id', value: 'A12 34', start: 8, end: 14, confidence: expect.closeTo(0.7, 9) },
      { type: 'amount', value: '30', start: 19, end: 21, confidence: 0.7 },
    ]);
    for (const entity of entities) expect(text.slice(entity.start, entity.end)).toBe(entity.value);
  });

  it('splits two adjacent spans of the same type at a B tag', () => {
    const entities = pathToEntities(text, tokens, [0, 1, 1, 0, 0, 0], tags, () => 1);
    expect(entities.map((e) => e.value)).toEqual(['A12', '34']);
  });
});

describe('predictEntities', () => {
  it('decodes raw tag logits as their probabilities would be decoded, with mean-probability confidence', () => {
    const text = 'refund A12 for 30 $';
    const tokens = tokenize(text);
    const count = tokens.length;
    const encoded = { tokens, featureIds: new Int32Array(0), length: count + 1, truncated: false };
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 30; trial++) {
      // Row 0 is __CLS__ and is never read; each row gets its own arbitrary shift.
      const logits = Float32Array.from({ length: (count + 1) * 5 }, (_, i) =>
        i < 5 ? 99 : 6 * random() - 3 + 40 * Math.floor(i / 5),
      );
      const rows = Array.from({ length: count }, (_, t) => {
        const row = Array.from(logits.subarray((t + 1) * 5, (t + 2) * 5));
        const sum = row.reduce((s, x) => s + Math.exp(x - row[0]), 0);
        return row.map((x) => Math.exp(x - row[0]) / sum);
      });
      const path = bruteForceBest(rows);
      const entities = predictEntities(text, encoded, logits, 0, tags, {});
      const expected = pathToEntities(text, tokens, path, tags, (t, tag) => rows[t][tag]);
      expect(entities).toEqual(
        expected.map((e) => ({ ...e, confidence: expect.closeTo(e.confidence, 6) })),
      );
    }
  });
});

describe('constrainedViterbi input checks', () => {
  it('refuses a tag count that is not O plus B/I pairs', () => {
    expect(() => constrainedViterbi(new Float32Array(8), 2, 4)).toThrow(/O plus B\/I pairs, got 4/);
  });
});
