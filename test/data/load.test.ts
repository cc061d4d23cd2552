import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { assertValid, loadDataset, writeRasaYaml } from '../../src/data/load.js';
import { writeJsonl } from '../../src/data/jsonl.js';
import { useTempDir, writeFiles } from './helpers.js';

const C05_ROWS = [
  {
    text: 'I was charged 100$ twice',
    intent: 'refund_request',
    entities: [
      { type: 'amount', start: 14, end: 17 },
      { type: 'currency', start: 17, end: 18 },
    ],
  },
  {
    text: 'please refund €49,99 to my card',
    intent: 'refund_request',
    entities: [
      { type: 'currency', start: 14, end: 15 },
      { type: 'amount', start: 15, end: 20 },
    ],
  },
  {
    text: 'the bill says $1,299.50',
    intent: 'refund_request',
    entities: [
      { type: 'currency', start: 14, end: 15 },
      { type: 'amount', start: 15, end: 23 },
    ],
  },
  {
    text: 'they took USD120 from me',
    intent: 'refund_request',
    entities: [
      { type: 'currency', start: 10, end: 13 },
      { type: 'amount', start: 13, end: 16 },
    ],
  },
];

describe('loadDataset', () => {
  const tempDir = useTempDir();

  it('imports the C05 rows without a misalignment warning', async () => {
    const dir = await writeFiles(await tempDir(), {
      'c05.jsonl': C05_ROWS.map((r) => JSON.stringify(r)).join('\n'),
    });
    const dataset = await loadDataset(join(dir, 'c05.jsonl'));
    expect(dataset.summary).toEqual({ read: 4, imported: 4, skipped: 0, problems: [] });
  });

  it('warns about an entity that does not align with tokens, and still imports it', async () => {
    const dir = await writeFiles(await tempDir(), {
      'rows.jsonl': JSON.stringify({
        text: 'order A1234 now',
        intent: 'o',
        entities: [{ type: 'order_id', start: 7, end: 11 }],
      }),
    });
    const dataset = await loadDataset(join(dir, 'rows.jsonl'));
    expect(dataset.summary.imported).toBe(1);
    expect(dataset.summary.problems).toEqual([
      {
        file: join(dir, 'rows.jsonl'),
        line: 1,
        severity: 'warning',
        message: expect.stringMatching(/does not align with token boundaries/),
      },
    ]);
    expect(() => assertValid(dataset)).not.toThrow();
  });

  it('reads a folder as one file set and checks entity types across it', async () => {
    const dir = await writeFiles(await tempDir(), {
      'nlu.yml': 'nlu:\n- intent: refund\n  examples: |\n    - refund [A1234](order_id)\n',
      'more.jsonl': JSON.stringify({
        text: 'refund B5678',
        intent: 'refund',
        entities: [{ type: 'order_id', start: 7, end: 12 }],
      }),
      'notes.txt': 'ignored',
    });
    const dataset = await loadDataset(dir);
    expect(dataset.summary).toMatchObject({ read: 2, imported: 2, problems: [] });

    const alone = await loadDataset(join(dir, 'nlu.yml'));
    expect(alone.summary.problems[0].message).toMatch(/unknown entity type `order_id`/);
    const declared = await loadDataset(join(dir, 'nlu.yml'), { knownEntityTypes: ['order_id'] });
    expect(declared.summary.problems).toEqual([]);
  });

  it('reads a file by the format given, whatever its extension', async () => {
    const dir = await writeFiles(await tempDir(), { 'data.txt': 'text,intent\nhi,greet\n' });
    const dataset = await loadDataset(join(dir, 'data.txt'), { format: 'csv' });
    expect(dataset.examples.map((e) => e.intent)).toEqual(['greet']);
  });

  it.each([
    ['an unknown extension', { 'data.txt': 'hi' }, 'data.txt', 'DATA_FORMAT_UNKNOWN'],
    ['a folder without data files', { 'notes.txt': 'hi' }, '.', 'DATA_FORMAT_UNKNOWN'],
    ['a missing path', {}, 'nope.yml', 'DATA_INVALID'],
    ['a CSV without the columns', { 'a.csv': 'q,a\n' }, 'a.csv', 'DATA_INVALID'],
  ])('throws a coded error for %s', async (_label, files, target, code) => {
    const dir = await writeFiles(await tempDir(), files);
    const error = await loadDataset(join(dir, target)).catch((err: unknown) => err);
    expect(isParleyError(error) ? error.code : error).toBe(code);
  });

  it('throws DATA_INVALID from assertValid with file and line', async () => {
    const dir = await writeFiles(await tempDir(), { 'bad.jsonl': '{"text": "x"}\n' });
    const dataset = await loadDataset(join(dir, 'bad.jsonl'));
    expect(() => assertValid(dataset)).toThrow(/bad\.jsonl:1: `intent` must be/);
  });

  it('exports to JSONL and Rasa YAML that load back the same', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'c05.jsonl': C05_ROWS.map((r) => JSON.stringify(r)).join('\n') });
    const original = await loadDataset(join(dir, 'c05.jsonl'));
    await writeJsonl(join(dir, 'copy.jsonl'), original.examples);
    const omitted = await writeRasaYaml(join(dir, 'copy.yml'), original);
    expect(omitted).toEqual([]);

    const strip = (examples: typeof original.examples) =>
      examples.map(({ source: _, ...rest }) => rest);
    const fromJsonl = await loadDataset(join(dir, 'copy.jsonl'));
    const fromYaml = await loadDataset(join(dir, 'copy.yml'));
    expect(strip(fromJsonl.examples)).toEqual(strip(original.examples));
    expect(strip(fromYaml.examples)).toEqual(strip(original.examples));
  });
});
