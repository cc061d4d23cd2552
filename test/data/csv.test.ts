import { describe, expect, it } from 'vitest';
import { finishDataset } from '../../src/data/candidates.js';
import { readCsv } from '../../src/data/csv.js';
import { loadDataset } from '../../src/data/load.js';
import { sharedDataset } from './helpers.js';

function load(source: string) {
  return finishDataset([readCsv(Buffer.from(source), 'data.csv')]);
}

describe('CSV import', () => {
  it('reads quoted fields with commas, quotes, LF inside CRLF records', () => {
    const dataset = load(
      [
        '\uFEFFtext,category',
        '"\nHow do I unblock my PIN?",pin_blocked',
        '"I said ""stop"", twice",cancel',
        '',
        'plain text,reverted_card_payment?',
        '',
      ].join('\r\n'),
    );
    expect(dataset.summary.problems).toEqual([]);
    expect(dataset.examples.map((e) => [e.source?.line, e.text, e.intent])).toEqual([
      [2, '\nHow do I unblock my PIN?', 'pin_blocked'],
      [4, 'I said "stop", twice', 'cancel'],
      [6, 'plain text', 'reverted_card_payment?'],
    ]);
  });

  it('reports bad records at the line where they start', () => {
    const dataset = load(
      ['text,intent', '"two\nlines",', 'ok,greet', 'a,b,c', '  ,greet', 'bad "quote,x'].join('\n'),
    );
    expect(dataset.summary.problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'intent is empty'],
      [5, 'record has 3 fields; the header has 2'],
      [6, '`text` is empty'],
      [7, expect.stringMatching(/^CSV syntax error/)],
    ]);
    expect(dataset.summary).toMatchObject({ read: 5, imported: 1 });
  });

  it('needs a text and an intent column', () => {
    expect(() => load('utterance,label\nhi,greet\n')).toThrow(
      /expected columns `text` and `intent`/,
    );
    expect(() => load('')).toThrow(/is empty/);
  });

  it('loads Banking77 with its sizes, 77 intents and texts kept as written', async () => {
    const train = await loadDataset(sharedDataset('banking77', 'train.csv'));
    const test = await loadDataset(sharedDataset('banking77', 'test.csv'));
    expect([train.summary.imported, test.summary.imported]).toEqual([10003, 3080]);
    expect([train.summary.problems, test.summary.problems]).toEqual([[], []]);
    expect(new Set(train.examples.map((e) => e.intent)).size).toBe(77);
    expect(train.examples.some((e) => e.intent === 'Refund_not_showing_up')).toBe(true);
    expect(train.examples.filter((e) => e.text.includes('\n'))).toHaveLength(10);
  });
});
