import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { finishDataset } from '../../src/data/candidates.js';
import { readJsonl, toJsonl } from '../../src/data/jsonl.js';
import { loadDataset } from '../../src/data/load.js';
import { parseMarkup } from '../../src/data/rasa-markup.js';
import { readRasaYaml, toRasaYaml } from '../../src/data/rasa.js';

const C11 = fileURLToPath(new URL('./fixtures/c11', import.meta.url));

function load(yaml: string, options: { strict?: boolean; knownEntityTypes?: string[] } = {}) {
  return finishDataset([readRasaYaml(yaml, 'nlu.yml')], options);
}

describe('parseMarkup', () => {
  it.each([
    ['plain text', 'where is my order', 'where is my order', []],
    [
      'parenthesis form',
      'refund [A1234](order_id) now',
      'refund A1234 now',
      [{ type: 'order_id', start: 7, end: 12, value: 'A1234' }],
    ],
    [
      'synonym form',
      'pay by [credit](payment:credit_card)',
      'pay by credit',
      [{ type: 'payment', start: 7, end: 13, value: 'credit', normalized: 'credit_card' }],
    ],
    [
      'JSON form with value and role',
      'charged [30]{"entity": "amount", "value": "30.00", "role": "paid"} (twice)',
      'charged 30 (twice)',
      [{ type: 'amount', start: 8, end: 10, value: '30', normalized: '30.00' }],
    ],
    [
      'two annotations after emoji',
      '😀 [100](amount)[$](currency)',
      '😀 100$',
      [
        { type: 'amount', start: 3, end: 6, value: '100' },
        { type: 'currency', start: 6, end: 7, value: '$' },
      ],
    ],
  ])('reads the %s', (_label, line, text, entities) => {
    const parsed = parseMarkup(line);
    expect(parsed.errors).toEqual([]);
    expect(parsed.text).toBe(text);
    expect(parsed.entities).toEqual(entities);
    for (const e of parsed.entities) expect(parsed.text.slice(e.start, e.end)).toBe(e.value);
  });

  it.each([
    ['unclosed parenthesis', 'refund order [B5678](order_id please', /unclosed parenthesis/],
    [
      'brace closed by parenthesis',
      'the charge of [30]{"entity": "amount")',
      /mismatched brace\/parenthesis/,
    ],
    ['parenthesis closed by brace', 'refund [A1](order_id}', /mismatched brace\/parenthesis/],
    ['unclosed brace', 'refund [A1]{"entity": "order_id"', /unclosed brace/],
    ['unclosed bracket', 'refund [A1 please', /unclosed bracket/],
    ['bracket without type', 'refund [A1] please', /not followed by/],
    ['stray closing bracket', 'refund A1] please', /closes no/],
    ['empty annotation', 'refund [](order_id)', /marks no text/],
    ['bad JSON', 'refund [A1]{"entity": order_id}', /not valid/],
    ['JSON without entity', 'refund [A1]{"value": "x"}', /needs `"entity"`/],
    ['invalid type name', 'refund [A1](order id)', /not a valid name/],
  ])('reports a %s', (_label, line, message) => {
    const parsed = parseMarkup(line);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatch(message);
  });
});

describe('Rasa YAML import', () => {
  it('reports case C11 with file and line numbers and imports the valid line', async () => {
    const dataset = await loadDataset(C11);
    const problems = dataset.summary.problems.map((p) => [
      p.file.slice(C11.length + 1),
      p.line,
      p.message,
    ]);
    expect(problems).toEqual([
      ['nlu.yml', 7, expect.stringMatching(/^unclosed parenthesis/)],
      ['nlu.yml', 8, expect.stringMatching(/^mismatched brace\/parenthesis/)],
      [
        'nlu.yml',
        9,
        expect.stringMatching(/^unknown entity type `orderid`.*did you mean `order_id`/),
      ],
      ['rows.jsonl', 1, expect.stringMatching(/end 40 is past the end of the text \(length 12\)/)],
    ]);
    expect(dataset.summary).toMatchObject({ read: 5, imported: 1, skipped: 4 });
    expect(dataset.examples).toEqual([
      {
        text: 'I need my money back for A1234',
        intent: 'refund_request',
        entities: [{ type: 'order_id', start: 25, end: 30, value: 'A1234' }],
        source: { file: `${C11}/nlu.yml`, line: 6 },
      },
    ]);
  });

  it('imports nothing from case C11 in strict mode', async () => {
    const dataset = await loadDataset(C11, { strict: true });
    expect(dataset.examples).toEqual([]);
    expect(dataset.summary).toMatchObject({ read: 5, imported: 0, skipped: 5 });
    expect(dataset.summary.problems).toHaveLength(4);
  });

  it('counts real file lines across blank lines, comments and several items', () => {
    const yaml = [
      'version: "3.1"', // 1
      '# a comment', // 2
      'nlu:', // 3
      '- intent: greet', // 4
      '  examples: |', // 5
      '    - hi', // 6
      '', // 7
      '    - hello [there](order_id', // 8
      '- intent: order_status', // 9
      '  examples: |-', // 10
      '    - where is [A1234](order_id)', // 11
      '    -  status of [B5678](order_id)  ', // 12
      '    not a list item', // 13
    ].join('\n');
    const dataset = load(yaml);
    expect(dataset.summary.problems.map((p) => [p.line, p.message.slice(0, 20)])).toEqual([
      [8, 'unclosed parenthesis'],
      [13, 'expected a list item'],
    ]);
    expect(dataset.examples.map((e) => [e.source?.line, e.text])).toEqual([
      [6, 'hi'],
      [11, 'where is A1234'],
      [12, 'status of B5678'],
    ]);
  });

  it('reads synonyms, regexes, lookups and declared entities', () => {
    const yaml = `
entities:
  - product
nlu:
  - intent: buy
    examples: |
      - buy a [gift card](product)
      - pay by [credit](payment:credit_card) or [debit](payment)
  - synonym: credit_card
    examples: |
      - Credit Card
  - regex: order_id
    examples: |
      - (?i)\\b[a-z]\\d{4}\\b
  - regex: broken
    examples: |
      - ([a-z
  - lookup: product
    examples: |
      - gift card
      - phone
`;
    const dataset = load(yaml);
    expect(dataset.synonyms).toEqual({ credit: 'credit_card', 'credit card': 'credit_card' });
    expect(dataset.regexes).toEqual([{ name: 'order_id', pattern: '(?i)\\b[a-z]\\d{4}\\b' }]);
    expect(dataset.lookups).toEqual([{ name: 'product', values: ['gift card', 'phone'] }]);
    expect(dataset.summary.problems).toEqual([
      { file: 'nlu.yml', line: 17, message: expect.stringMatching(/regex `broken`/) },
    ]);
    expect(dataset.examples).toHaveLength(2);
  });

  it('checks types against a given list', () => {
    const yaml = 'nlu:\n- intent: a\n  examples: |\n    - x [1](amount)\n    - y [2](amount)\n';
    expect(load(yaml).summary.problems).toEqual([]);
    const strictTypes = load(yaml, { knownEntityTypes: ['order_id'] });
    expect(strictTypes.summary.problems.map((p) => p.line)).toEqual([4, 5]);
    expect(strictTypes.summary.problems[0].message).toMatch(/unknown entity type `amount`/);
  });

  it('reports YAML syntax errors and bad items with lines', () => {
    const broken = load('nlu:\n- intent: a\n  intent: b\n  examples: |\n    - x\n');
    expect(broken.summary.problems).toEqual([
      { file: 'nlu.yml', line: 3, message: expect.stringMatching(/YAML syntax error: Map keys/) },
    ]);
    const items = load('nlu:\n- intent: a\n- intnt: b\n  examples: |\n    - y\n');
    expect(items.summary.problems.map((p) => [p.line, p.message])).toEqual([
      [2, '`intent: a` has no `examples:` block'],
      [3, expect.stringMatching(/unknown keys `intnt`/)],
    ]);
  });
});

describe('Rasa YAML export', () => {
  const source = `nlu:
  - intent: refund_request
    examples: |
      - refund [A1234](order_id) please
      - I was charged [100](amount)[$](currency) twice
      - pay back [USD](currency)[120](amount) by [card](payment:credit_card)
  - intent: "reverted_card_payment?"
    examples: |
      - my [B-7731](order_id) payment came back, don’t know why 😀
  - synonym: credit_card
    examples: |
      - credit card
  - regex: order_id
    examples: |
      - \\b[A-Z]-?\\d{4}\\b
  - lookup: payment
    examples: |
      - card
`;

  it('round-trips Rasa -> JSONL -> Rasa', () => {
    const first = load(source);
    expect(first.summary.problems).toEqual([]);
    const viaJsonl = finishDataset([readJsonl(toJsonl(first.examples), 'rows.jsonl')]);
    const strip = (d: typeof first) => d.examples.map(({ source: _, ...rest }) => rest);
    expect(strip(viaJsonl)).toEqual(strip(first));

    const { yaml, omitted } = toRasaYaml({ ...first, examples: viaJsonl.examples });
    expect(omitted).toEqual([]);
    const second = load(yaml);
    expect(second.summary.problems).toEqual([]);
    expect(strip(second)).toEqual(strip(first));
    expect(second.synonyms).toEqual(first.synonyms);
    expect(second.regexes).toEqual(first.regexes);
    expect(second.lookups).toEqual(first.lookups);
  });

  it('leaves out what Rasa markup cannot hold, with the reason', () => {
    const { yaml, omitted } = toRasaYaml({
      examples: [
        { text: 'two\nlines', intent: 'a', entities: [] },
        { text: 'see [note]', intent: 'a', entities: [] },
        { text: '  padded  ', intent: 'a', entities: [] },
      ],
    });
    expect(omitted.map((o) => o.reason)).toEqual([
      'the text has a line break',
      'the text has `[` or `]`, which Rasa markup cannot escape',
    ]);
    expect(load(yaml).examples.map((e) => e.text)).toEqual(['padded']);
  });
});
