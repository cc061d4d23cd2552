import { parse } from 'csv-parse/sync';
import { ParleyError } from '../core/errors.js';
import { candidate, emptyContribution, type Contribution } from './candidates.js';

/**
 * Intent-only CSV (RFC 4180) with a header naming a `text` column and an `intent` or `category`
 * column (Banking77 uses `text,category`); other columns are ignored. Quoted fields may hold
 * commas, quotes and line breaks, so one record can span several physical lines: a problem
 * names the line where its record starts. Texts are kept exactly as written, inner line breaks
 * and padding included.
 */

const INTENT_COLUMNS = ['intent', 'category'];

export function readCsv(source: Buffer, file: string): Contribution {
  const out = emptyContribution();
  const lineStarts = newlineOffsets(source);
  const lineAt = (byte: number) => 1 + countBelow(lineStarts, byte);

  // Records are located by the byte where the previous one ended; after a record skipped for a
  // syntax error, the next one is placed at least one line below where the error was seen.
  const skippedBefore = new Map<number, number>();
  const records = parse(source, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      const line = Number(err?.lines ?? 1);
      const message = `CSV syntax error: ${firstLine(err?.message ?? 'unreadable record')}`;
      skippedBefore.set(Number(err?.records ?? 0), line);
      out.candidates.push(
        candidate(file, line, { text: '', intent: '', entities: [] }, { errors: [message] }),
      );
      return undefined;
    },
  }) as unknown as { record: string[]; info: { bytes: number } }[];

  let previousEnd = 0;
  const located = records.map(({ record, info }, index) => {
    const afterSkip = skippedBefore.get(index);
    const start = lineAt(firstContentByte(source, previousEnd));
    previousEnd = info.bytes;
    return { record, line: afterSkip === undefined ? start : Math.max(start, afterSkip + 1) };
  });
  if (located.length === 0) {
    throw new ParleyError(
      'DATA_INVALID',
      `${file} is empty; expected a header row \`text,intent\``,
    );
  }

  const header = located[0].record.map((name) => name.trim().toLowerCase());
  const textColumn = header.indexOf('text');
  const intentColumn = header.findIndex((name) => INTENT_COLUMNS.includes(name));
  if (textColumn < 0 || intentColumn < 0) {
    throw new ParleyError(
      'DATA_INVALID',
      `${file} has the header \`${located[0].record.join(',')}\`; expected columns \`text\` and ` +
        '`intent` (or `category`)',
    );
  }

  for (const { record, line } of located.slice(1)) {
    const errors: string[] = [];
    if (record.length !== header.length) {
      errors.push(`record has ${record.length} fields; the header has ${header.length}`);
    }
    const text = record[textColumn] ?? '';
    const intent = (record[intentColumn] ?? '').trim();
    if (text.trim() === '') errors.push('`text` is empty');
    if (intent === '') errors.push('intent is empty');
    out.candidates.push(candidate(file, line, { text, intent, entities: [] }, { errors }));
  }
  out.candidates.sort((a, b) => a.line - b.line);
  return out;
}

/** Byte offsets of every `\n`, ascending. */
function newlineOffsets(source: Buffer): number[] {
  const offsets: number[] = [];
  for (let i = source.indexOf(10); i >= 0; i = source.indexOf(10, i + 1)) offsets.push(i);
  return offsets;
}

/** How many sorted values are below `value` (binary search). */
function countBelow(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Skips the blank lines a record may follow (they are not part of it). */
function firstContentByte(source: Buffer, from: number): number {
  let at = from;
  while (at < source.length && (source[at] === 10 || source[at] === 13)) at += 1;
  return at;
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}
