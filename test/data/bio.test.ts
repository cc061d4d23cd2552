import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignEntities, fromBio, toBio } from '../../src/data/bio.js';
import { tokenize } from '../../src/nlu/tokenize.js';

const ROWS = [
  {
    label: 'C01 emoji before the entity',
    text: '😀😀 refund for order A1234 please',
    entities: [{ type: 'order_id', start: 22, end: 27 }],
  },
  {
    label: 'C02 URL before a full stop',
    text: 'tracking page: https://track.example.test/p/A1234.',
    entities: [{ type: 'url', start: 15, end: 49 }],
  },
  {
    label: 'C05 amount then $',
    text: 'I was charged 100$ twice',
    entities: [
      { type: 'amount', start: 14, end: 17 },
      { type: 'currency', start: 17, end: 18 },
    ],
  },
  {
    label: 'C05 euro sign',
    text: 'please refund €49,99 to my card',
    entities: [
      { type: 'currency', start: 14, end: 15 },
      { type: 'amount', start: 15, end: 20 },
    ],
  },
  {
    label: 'C05 dollar sign and separators',
    text: 'the bill says $1,299.50',
    entities: [
      { type: 'currency', start: 14, end: 15 },
      { type: 'amount', start: 15, end: 23 },
    ],
  },
  {
    label: 'C05 ISO code',
    text: 'they took USD120 from me',
    entities: [
      { type: 'currency', start: 10, end: 13 },
      { type: 'amount', start: 13, end: 16 },
    ],
  },
  {
    label: 'multi-token span and adjacent spans of one type',
    text: 'ship to New York City A1 B2',
    entities: [
      { type: 'location', start: 8, end: 21 },
      { type: 'order_id', start: 22, end: 24 },
      { type: 'order_id', start: 25, end: 27 },
    ],
  },
];

describe('BIO conversion', () => {
  it.each(ROWS)('round-trips $label without a misalignment', ({ text, entities }) => {
    const tokens = tokenize(text);
    const { tags, misaligned } = alignEntities(tokens, entities);
    expect(misaligned).toEqual([]);
    const back = fromBio(tokens, tags, text);
    expect(back.map(({ type, start, end }) => ({ type, start, end }))).toEqual(entities);
    for (const e of back) expect(text.slice(e.start, e.end)).toBe(e.value);
  });

  it('tags C05 as separate amount and currency tokens', () => {
    const tokens = tokenize('they took USD120 from me');
    expect(toBio(tokens, ROWS[5].entities)).toEqual(['O', 'O', 'B-currency', 'B-amount', 'O', 'O']);
  });

  it('reports an entity that cuts a token and tags the tokens it overlaps', () => {
    const text = 'refund order A1234 now';
    const tokens = tokenize(text);
    const { tags, misaligned } = alignEntities(tokens, [{ type: 'order_id', start: 14, end: 18 }]);
    expect(tags).toEqual(['O', 'O', 'B-order_id', 'O']);
    expect(misaligned).toEqual([
      {
        entity: { type: 'order_id', start: 14, end: 18 },
        reason: expect.stringMatching(/does not align.*\[13, 18\)/),
      },
    ]);
  });

  it('drops entities that cover no token or share one', () => {
    const tokens = tokenize('a  b');
    const { tags, misaligned } = alignEntities(tokens, [
      { type: 'x', start: 1, end: 3 },
      { type: 'y', start: 0, end: 1 },
      { type: 'z', start: 0, end: 4 },
    ]);
    expect(tags).toEqual(['B-y', 'O']);
    expect(misaligned.map((m) => [m.entity.type, m.reason.slice(0, 20)])).toEqual([
      ['z', 'shares a token with '],
      ['x', 'covers no token; dro'],
    ]);
  });

  it('reads an I- tag that opens a span as B-', () => {
    const text = 'from new york to boston';
    const tokens = tokenize(text);
    const entities = fromBio(tokens, ['O', 'I-city', 'I-city', 'O', 'I-state'], text);
    expect(entities).toEqual([
      { type: 'city', start: 5, end: 13, value: 'new york' },
      { type: 'state', start: 17, end: 23, value: 'boston' },
    ]);
  });

  it('refuses a tag count that does not match the tokens', () => {
    expect(() => fromBio(tokenize('a b'), ['O'], 'a b')).toThrow(/1 tags for 2 tokens/);
  });

  it('round-trips any entities placed on token boundaries', () => {
    const words = fc.constantFrom(
      'refund',
      'A1234',
      '😀',
      '100',
      '$',
      'USD',
      '€',
      'don’t',
      '?',
      '東',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(words, fc.boolean()), { minLength: 1, maxLength: 10 }),
        (parts) => {
          const text = parts.map(([word]) => word).join(' ');
          const tokens = tokenize(text);
          const entities = tokens
            .map((t, i) => ({ type: `t${i % 3}`, start: t.start, end: t.end, keep: parts[i]?.[1] }))
            .filter((e) => e.keep)
            .map(({ type, start, end }) => ({ type, start, end }));
          const back = fromBio(tokens, toBio(tokens, entities), text);
          expect(back.map(({ type, start, end }) => ({ type, start, end }))).toEqual(entities);
        },
      ),
      { numRuns: 200 },
    );
  });
});
