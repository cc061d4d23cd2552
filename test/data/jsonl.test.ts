import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finishDataset } from '../../src/data/candidates.js';
import { readJsonl, toJsonl } from '../../src/data/jsonl.js';
import { loadDataset } from '../../src/data/load.js';
import { useTempDir, writeFiles } from './helpers.js';

const row = (value: object) => JSON.stringify(value);

function load(source: string) {
  return finishDataset([readJsonl(source, 'rows.jsonl')]);
}

describe('JSONL import', () => {
  it('reads canonical rows, keeping UTF-16 offsets', () => {
    const dataset = load(
      [
        row({
          text: '😀😀 refund for order A1234 please',
          intent: 'refund_request',
          entities: [{ type: 'order_id', start: 22, end: 27 }],
        }),
        '',
        row({ text: 'hi', intent: 'greet' }),
      ].join('\r\n'),
    );
    expect(dataset.summary).toEqual({ read: 2, imported: 2, skipped: 0, problems: [] });
    expect(dataset.examples[0].entities).toEqual([
      { type: 'order_id', start: 22, end: 27, value: 'A1234' },
    ]);
    expect(dataset.examples[1]).toMatchObject({
      intent: 'greet',
      entities: [],
      source: { line: 3 },
    });
  });

  it.each([
    ['bad JSON', '{"text": "x", "intent": ', /^bad JSON/],
    [
      'an offset past the end',
      row({
        text: 'refund A1234',
        intent: 'r',
        entities: [{ type: 'order_id', start: 7, end: 40 }],
      }),
      /end 40 is past the end of the text \(length 12\)/,
    ],
    [
      'a negative start',
      row({ text: 'abc', intent: 'r', entities: [{ type: 'x', start: -1, end: 2 }] }),
      /start -1 is negative/,
    ],
    [
      'an empty span',
      row({ text: 'abc', intent: 'r', entities: [{ type: 'x', start: 2, end: 2 }] }),
      /empty or reversed/,
    ],
    [
      'overlapping spans',
      row({
        text: 'new york city',
        intent: 'r',
        entities: [
          { type: 'city', start: 0, end: 8 },
          { type: 'state', start: 4, end: 13 },
        ],
      }),
      /overlap/,
    ],
    [
      'a value that is not the text',
      row({ text: 'abc', intent: 'r', entities: [{ type: 'x', start: 0, end: 1, value: 'b' }] }),
      /is not the text at \[0, 1\)/,
    ],
    [
      'a split surrogate pair',
      row({ text: '😀 x', intent: 'r', entities: [{ type: 'x', start: 1, end: 4 }] }),
      /splits a surrogate pair/,
    ],
    ['a missing intent', row({ text: 'abc' }), /`intent` must be/],
    ['a non-object row', '[1, 2]', /expected a JSON object/],
  ])('reports %s with its line', (_label, line, message) => {
    const dataset = load(`${row({ text: 'ok', intent: 'greet' })}\n${line}\n`);
    expect(dataset.summary.problems).toEqual([
      { file: 'rows.jsonl', line: 2, message: expect.stringMatching(message) },
    ]);
    expect(dataset.summary).toMatchObject({ read: 2, imported: 1, skipped: 1 });
  });

  it('writes what it reads', () => {
    const source = [
      row({
        text: 'pay by credit',
        intent: 'pay',
        entities: [
          { type: 'payment', start: 7, end: 13, value: 'credit', normalized: 'credit_card' },
        ],
      }),
      row({
        text: 'I was charged 100$ twice',
        intent: 'refund',
        entities: [
          { type: 'amount', start: 14, end: 17, value: '100' },
          { type: 'currency', start: 17, end: 18, value: '$' },
        ],
      }),
    ].join('\n');
    expect(toJsonl(load(source).examples)).toBe(`${source}\n`);
  });
});

describe('JSON array import', () => {
  const tempDir = useTempDir();

  it('reports each item at the line where it starts', async () => {
    const dir = await writeFiles(await tempDir(), {
      'rows.json': [
        '[',
        '  {"text": "hi", "intent": "greet"},',
        '  {',
        '    "text": "refund [x]",',
        '    "intent": "refund",',
        '    "entities": [{"type": "order_id", "start": 7, "end": 99}]',
        '  }',
        ']',
      ].join('\n'),
    });
    const dataset = await loadDataset(join(dir, 'rows.json'));
    expect(dataset.summary.problems.map((p) => p.line)).toEqual([3]);
    expect(dataset.examples.map((e) => e.source?.line)).toEqual([2]);
  });
});
