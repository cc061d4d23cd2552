import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load.js';
import {
  normalizeToken,
  scanTokens,
  tokenize,
  tokenKind,
  type Token,
} from '../../src/nlu/tokenize.js';

const texts = (tokens: Token[]) => tokens.map((t) => t.text);

function span(text: string, value: string): [number, number] {
  const token = tokenize(text).find((t) => t.text === value);
  if (token === undefined) throw new Error(`no token ${value} in ${JSON.stringify(text)}`);
  return [token.start, token.end];
}

function expectOffsetsHold(text: string): void {
  for (const token of tokenize(text)) {
    expect(text.slice(token.start, token.end)).toBe(token.text);
  }
}

describe('tokenize', () => {
  it.each([
    ['C01 emoji before the entity', '😀😀 refund for order A1234 please', 'A1234', [22, 27]],
    ['C01 ZWJ family, flag, skin tone', '👩‍👩‍👧 🇩🇪 👍🏽 where is order B5678?', 'B5678', [34, 39]],
    ['C02 question mark', 'where is my order A1234?', 'A1234', [18, 23]],
    ['C02 comma', 'order A1234, please refund it', 'A1234', [6, 11]],
    ['C02 parentheses', '(ref A1234) still missing', 'A1234', [5, 10]],
    [
      'C02 URL before a full stop',
      'tracking page: https://track.example.test/p/A1234.',
      'https://track.example.test/p/A1234',
      [15, 49],
    ],
    ['C04 typographic apostrophe', 'I don’t have order B-7731 yet', 'B-7731', [19, 25]],
    ['C04 plain apostrophe', "I don't have order B-7731 yet", 'B-7731', [19, 25]],
    [
      'C04 email then ZWSP',
      'my email is user@example.test\u200b thanks',
      'user@example.test',
      [12, 29],
    ],
    ['C04 ZWSP between words', 'refund order\u200bA1234', 'A1234', [13, 18]],
    ['C05 amount before $', 'I was charged 100$ twice', '100', [14, 17]],
    ['C05 $ after amount', 'I was charged 100$ twice', '$', [17, 18]],
    ['C05 euro sign', 'please refund €49,99 to my card', '€', [14, 15]],
    ['C05 decimal comma', 'please refund €49,99 to my card', '49,99', [15, 20]],
    ['C05 dollar sign', 'the bill says $1,299.50', '$', [14, 15]],
    ['C05 thousands and decimals', 'the bill says $1,299.50', '1,299.50', [15, 23]],
    ['C05 ISO code', 'they took USD120 from me', 'USD', [10, 13]],
    ['C05 amount after ISO code', 'they took USD120 from me', '120', [13, 16]],
  ])('%s', (_label, text, value, expected) => {
    expect(span(text, value)).toEqual(expected);
    expectOffsetsHold(text);
  });

  it('keeps each emoji cluster whole', () => {
    const tokens = tokenize('👩‍👩‍👧 🇩🇪 👍🏽 where is order B5678?');
    expect(texts(tokens)).toEqual(['👩‍👩‍👧', '🇩🇪', '👍🏽', 'where', 'is', 'order', 'B5678', '?']);
    expect(tokens.slice(0, 3).map((t) => tokenKind(t.text))).toEqual(['emoji', 'emoji', 'emoji']);
  });

  it('keeps keycaps and subdivision flags whole', () => {
    expect(texts(tokenize('1️⃣ 🏴󠁧󠁢󠁥󠁮󠁧󠁿!'))).toEqual(['1️⃣', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '!']);
  });

  it('gives trailing punctuation its own token', () => {
    expect(texts(tokenize('where is my order A1234?'))).toEqual([
      'where',
      'is',
      'my',
      'order',
      'A1234',
      '?',
    ]);
    expect(texts(tokenize('(ref A1234) still missing'))).toEqual([
      '(',
      'ref',
      'A1234',
      ')',
      'still',
      'missing',
    ]);
  });

  it('gives the same words with and without the punctuation', () => {
    const words = (text: string) => texts(tokenize(text)).filter((t) => /\p{L}|\p{N}/u.test(t));
    expect(words('where is my order A1234?')).toEqual(words('where is my order A1234'));
    expect(words('order A1234, please refund it')).toEqual(words('order A1234 please refund it'));
    expect(words('(ref A1234) still missing')).toEqual(words('ref A1234 still missing'));
    expect(words('tracking page: https://track.example.test/p/A1234.')).toEqual(
      words('tracking page https://track.example.test/p/A1234'),
    );
  });

  it('keeps a URL and an e-mail address one token each', () => {
    const tokens = tokenize(
      'see https://help.example.test/refunds?id=7&x=(1), or mail a.b+c@shop.example.com.',
    );
    expect(texts(tokens)).toEqual([
      'see',
      'https://help.example.test/refunds?id=7&x=(1)',
      ',',
      'or',
      'mail',
      'a.b+c@shop.example.com',
      '.',
    ]);
    expect(tokenKind(tokens[1].text)).toBe('url');
    expect(tokenKind(tokens[5].text)).toBe('email');
  });

  it('treats NBSP like a space and ZWSP as a separator', () => {
    expect(tokenize('refund\u00a0order A1234')).toEqual(tokenize('refund order A1234'));
    expect(texts(tokenize('refund order\u200bA1234'))).toEqual(['refund', 'order', 'A1234']);
  });

  it('gives the same tokens for both apostrophes, apart from the apostrophe', () => {
    const typographic = tokenize('I don’t have order B-7731 yet');
    const plain = tokenize("I don't have order B-7731 yet");
    expect(typographic.map((t) => [t.start, t.end, t.norm])).toEqual(
      plain.map((t) => [t.start, t.end, t.norm]),
    );
    expect(typographic[1]).toEqual({ text: 'don’t', start: 2, end: 7, norm: "don't" });
  });

  it('keeps identifiers and numbers with separators whole', () => {
    expect(texts(tokenize('B-7731 A1234 1,299.50 49,99 3pm'))).toEqual([
      'B-7731',
      'A1234',
      '1,299.50',
      '49,99',
      '3pm',
    ]);
  });

  it('splits currency codes and symbols from amounts', () => {
    expect(texts(tokenize('100$ USD120 120EUR €49,99 usd5'))).toEqual([
      '100',
      '$',
      'USD',
      '120',
      '120',
      'EUR',
      '€',
      '49,99',
      'usd',
      '5',
    ]);
  });

  it('splits a glued code only when it is a whole code in one case, however it is spelled', () => {
    // The regexes fold case the Unicode way: the long s and the Kelvin sign read as s and k.
    const cases: [string, string[]][] = [
      ['5dkk', ['5', 'dkk']],
      ['DKK5', ['DKK', '5']],
      ['\u017Fek120', ['\u017Fek', '120']],
      ['120\u017Fek', ['120', '\u017Fek']],
      ['Usd7', ['Usd7']],
      ['12usd3', ['12usd3']],
      ['usdx5', ['usdx5']],
      ['abc1', ['abc1']],
      ['1abc', ['1abc']],
      ['\uFF35\uFF33\uFF24\uFF15', ['\uFF35\uFF33\uFF24\uFF15']],
    ];
    for (const [text, want] of cases) expect(texts(tokenize(text)), text).toEqual(want);
  });

  it('cuts Han and kana into single characters and keeps Korean words', () => {
    expect(texts(tokenize('東京タワーに行く 한국어 문장'))).toEqual([
      '東',
      '京',
      'タ',
      'ワ',
      'ー',
      'に',
      '行',
      'く',
      '한국어',
      '문장',
    ]);
  });

  it.each([[''], ['   '], ['\n\t'], ['\u200b'], ['\u200b\u00a0\ufeff']])(
    'returns no tokens for %j',
    (text) => {
      expect(tokenize(text)).toEqual([]);
    },
  );

  it('skips lone surrogates without splitting pairs', () => {
    expect(texts(tokenize('x\ud800y 😀'))).toEqual(['x', 'y', '😀']);
  });

  it.each([
    ['dotted labels', 'a.'.repeat(20_000)],
    ['e-mail-like runs', 'a.b+c%'.repeat(7_000)],
    ['at signs', 'a@'.repeat(20_000)],
  ])('scans %s in linear time', (_label, text) => {
    // A quadratic scan takes several seconds on these 40k-character inputs; linear is ~0.1 s.
    const started = performance.now();
    expect(tokenize(text).length).toBeGreaterThan(10_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('normalises look-alikes', () => {
    expect(normalizeToken('ＡＢＣ')).toBe('abc');
    expect(normalizeToken('don’t')).toBe("don't");
    expect(normalizeToken('B‑7731')).toBe('b-7731');
  });
});

describe('tokenize properties', () => {
  const emoji = fc.constantFrom('😀', '👩‍👩‍👧', '🇩🇪', '👍🏽', '1️⃣', '❤️', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '\u200d', '\ufe0f');
  const filler = fc.oneof(
    emoji,
    fc.constantFrom(' ', '\u00a0', '\u200b', '\n', 'refund', 'please', '?', ',', '(', 'é'),
  );
  const around = fc.array(filler, { maxLength: 8 }).map((parts) => parts.join(''));
  const separator = fc.constantFrom(' ', '\u00a0', '\u200b', '\n');

  it('keeps offsets into the text and finds `A1234` where it was put', () => {
    fc.assert(
      fc.property(around, separator, separator, around, (before, sepA, sepB, after) => {
        const prefix = `${before}${sepA}order `;
        const text = `${prefix}A1234${sepB}${after}`;
        const tokens = tokenize(text);
        for (const token of tokens) {
          expect(text.slice(token.start, token.end)).toBe(token.text);
          expect(token.end).toBeGreaterThan(token.start);
        }
        expect(tokens).toContainEqual({
          text: 'A1234',
          start: prefix.length,
          end: prefix.length + 5,
          norm: 'a1234',
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never splits a surrogate pair in arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        let previousEnd = 0;
        for (const token of tokenize(text)) {
          expect(text.slice(token.start, token.end)).toBe(token.text);
          expect(token.start).toBeGreaterThanOrEqual(previousEnd);
          for (const edge of [token.start, token.end]) {
            const before = text.charCodeAt(edge - 1);
            const after = text.charCodeAt(edge);
            const splitsPair =
              before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
            expect(splitsPair).toBe(false);
          }
          previousEnd = token.end;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('the plain-ASCII path', () => {
  it('gives the scanner regex tokens for random ASCII, joiners, digits and controls included', () => {
    const piece = fc.oneof(
      fc.constantFrom('a', 'Z', 'q', '7', '0', 'USD', 'eur', '12', 'A1234', "'", '-', '_', ','),
      fc.constantFrom(' ', '\t', '\n', '\x00', '\x7f', '$', '#', '*', '!', '?', '(', '"', '`'),
      fc.constantFrom('. ', '.', 'www', 'shop.com', '1.5', '.\n', '...', 'www. '),
      fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
    );
    const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(tokenize(t)).toEqual(scanTokens(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the scanner regex tokens for every text of the shop data', async () => {
    const { examples } = await loadDataset('models/default/data/nlu.yml');
    for (const { text } of examples) expect(tokenize(text)).toEqual(scanTokens(text));
    for (const text of [
      '1,299 x',
      "don't-stop_now",
      'a--b',
      "x'",
      '12,a',
      'USD120 120eur',
      'www. x.',
    ])
      expect(tokenize(text)).toEqual(scanTokens(text));
  });
});
