import { describe, expect, it } from 'vitest';
import { finishDataset } from '../../src/data/candidates.js';
import { normalizeIntent, readJointBert } from '../../src/data/jointbert.js';
import { loadDataset } from '../../src/data/load.js';
import { sharedDataset, useTempDir, writeFiles } from './helpers.js';

function load(seqIn: string[], seqOut: string[], label: string[]) {
  const join = (lines: string[]) => `${lines.join('\n')}\n`;
  return finishDataset([
    readJointBert({ seqIn: join(seqIn), seqOut: join(seqOut), label: join(label) }, 'atis'),
  ]);
}

describe('JointBERT import', () => {
  it('turns word-level BIO into character offsets over the space-joined text', () => {
    const dataset = load(
      ['i want to fly from  new york to boston'],
      ['O O O O O B-fromloc.city_name I-fromloc.city_name O B-toloc.city_name'],
      ['atis_flight'],
    );
    expect(dataset.examples[0]).toMatchObject({
      text: 'i want to fly from new york to boston',
      intent: 'atis_flight',
      entities: [
        { type: 'fromloc.city_name', start: 19, end: 27, value: 'new york' },
        { type: 'toloc.city_name', start: 31, end: 37, value: 'boston' },
      ],
      source: { file: 'atis/seq.in', line: 1 },
    });
  });

  it('sorts the parts of multi-intent labels', () => {
    expect(normalizeIntent('atis_flight#atis_airfare')).toBe('atis_airfare#atis_flight');
    expect(normalizeIntent('atis_airfare#atis_flight')).toBe('atis_airfare#atis_flight');
    expect(normalizeIntent('atis_flight_no#atis_airline')).toBe('atis_airline#atis_flight_no');
  });

  it('reports length mismatches and missing lines with line numbers', () => {
    const dataset = load(['a b', 'c d e', 'f'], ['O O', 'O O', 'O'], ['x', 'y']);
    expect(dataset.summary.problems).toEqual([
      { file: 'atis/seq.in', line: 2, message: 'seq.in has 3 words but seq.out has 2 tags' },
      { file: 'atis/seq.in', line: 3, message: 'line 3 is missing from label' },
    ]);
    expect(dataset.summary).toMatchObject({ read: 3, imported: 1, skipped: 2 });
  });

  it('repairs an I- tag that starts a span as B-, with a warning', () => {
    const dataset = load(['to new york', 'x y'], ['O I-city I-city', 'O BAD'], ['a', 'b']);
    expect(dataset.examples).toHaveLength(1);
    expect(dataset.examples[0].entities).toEqual([
      { type: 'city', start: 3, end: 11, value: 'new york' },
    ]);
    expect(dataset.summary.problems).toEqual([
      {
        file: 'atis/seq.in',
        line: 1,
        message: 'tag 2 `I-city` continues no `city` span; read as `B-city`',
        severity: 'warning',
      },
      { file: 'atis/seq.in', line: 2, message: 'tag 2 `BAD` is not O, B-<type> or I-<type>' },
    ]);
  });

  it('needs all three files', async () => {
    const dir = await writeFiles(await tempDir(), { 'seq.in': 'a\n', 'seq.out': 'O\n' });
    await expect(loadDataset(dir)).rejects.toMatchObject({
      code: 'DATA_INVALID',
      message: expect.stringMatching(/lacks label/),
    });
  });

  const tempDir = useTempDir();

  it('loads the ATIS splits with their sizes and no problems', async () => {
    const counts: number[] = [];
    const intents = new Set<string>();
    for (const split of ['train', 'dev', 'test']) {
      const dataset = await loadDataset(sharedDataset('atis', split));
      expect(dataset.summary.problems).toEqual([]);
      counts.push(dataset.summary.imported);
      for (const e of dataset.examples) intents.add(e.intent);
    }
    expect(counts).toEqual([4478, 500, 893]);
    expect(intents.has('atis_flight#atis_airfare')).toBe(false);
    expect(intents.has('atis_airfare#atis_flight')).toBe(true);
  });

  it('points at the splits when given the ATIS root', async () => {
    await expect(loadDataset(sharedDataset('atis'))).rejects.toMatchObject({
      code: 'DATA_FORMAT_UNKNOWN',
      message: expect.stringMatching(/JointBERT splits \(dev, test, train\)/),
    });
  });
});
