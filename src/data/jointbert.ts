import { candidate, emptyContribution, type Contribution } from './candidates.js';
import type { EntityAnnotation } from './example.js';

/**
 * The JointBERT / SlotGated-SLU layout: one folder per split holding `seq.in` (space-separated
 * words), `seq.out` (one BIO tag per word) and `label` (the intent), line by line.
 *
 * - The text is the words joined by single spaces; word-level BIO spans become character
 *   offsets into that text.
 * - Multi-intent labels (`atis_flight#atis_airfare`) come in no fixed order upstream, so their
 *   parts are sorted: `atis_flight#atis_airfare` and `atis_airfare#atis_flight` are one intent,
 *   `atis_airfare#atis_flight`.
 * - A line whose word and tag counts differ, or whose files run out early, is an error.
 * - An `I-x` tag that does not continue an `x` span is read as `B-x`: the example is imported
 *   and a warning names the line.
 */

export interface JointBertFiles {
  seqIn: string;
  seqOut: string;
  label: string;
}

export function readJointBert(files: JointBertFiles, folder: string): Contribution {
  const out = emptyContribution();
  const words = splitLines(files.seqIn);
  const tags = splitLines(files.seqOut);
  const labels = splitLines(files.label);
  const count = Math.max(words.length, tags.length, labels.length);
  const file = `${folder}/seq.in`;

  for (let i = 0; i < count; i += 1) {
    const missing = [
      words[i] === undefined ? 'seq.in' : undefined,
      tags[i] === undefined ? 'seq.out' : undefined,
      labels[i] === undefined ? 'label' : undefined,
    ].filter((name) => name !== undefined);
    if (missing.length > 0) {
      const message = `line ${i + 1} is missing from ${missing.join(' and ')}`;
      out.candidates.push(
        candidate(file, i + 1, { text: '', intent: '', entities: [] }, { errors: [message] }),
      );
      continue;
    }
    out.candidates.push(readLine(words[i], tags[i], labels[i], file, i + 1));
  }
  return out;
}

function readLine(wordLine: string, tagLine: string, label: string, file: string, line: number) {
  const words = wordLine.split(/\s+/).filter((w) => w !== '');
  const tags = tagLine.split(/\s+/).filter((t) => t !== '');
  const text = words.join(' ');
  const intent = normalizeIntent(label);
  const errors: string[] = [];
  const warnings: string[] = [];

  if (words.length === 0) errors.push('seq.in line is empty');
  if (intent === '') errors.push('label line is empty');
  if (words.length !== tags.length) {
    errors.push(`seq.in has ${words.length} words but seq.out has ${tags.length} tags`);
  }
  const entities = errors.length > 0 ? [] : spans(words, tags, text, errors, warnings);
  return candidate(file, line, { text, intent, entities }, { errors, warnings });
}

/** `b#a` -> `a#b`; see the module comment. */
export function normalizeIntent(label: string): string {
  return label
    .split('#')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .sort()
    .join('#');
}

function spans(
  words: string[],
  tags: string[],
  text: string,
  errors: string[],
  warnings: string[],
): EntityAnnotation[] {
  const entities: EntityAnnotation[] = [];
  let offset = 0;
  let open: EntityAnnotation | undefined;

  words.forEach((word, i) => {
    const start = offset;
    const end = start + word.length;
    offset = end + 1;
    const match = /^([BI])-(.+)$/.exec(tags[i]);
    if (match === null) {
      if (tags[i] !== 'O')
        errors.push(`tag ${i + 1} \`${tags[i]}\` is not O, B-<type> or I-<type>`);
      open = undefined;
      return;
    }
    const [, prefix, type] = match;
    if (prefix === 'I' && open?.type === type) {
      open.end = end;
      open.value = text.slice(open.start, end);
      return;
    }
    if (prefix === 'I')
      warnings.push(
        `tag ${i + 1} \`${tags[i]}\` continues no \`${type}\` span; read as \`B-${type}\``,
      );
    open = { type, start, end, value: word };
    entities.push(open);
  });
  return entities;
}

function splitLines(source: string): string[] {
  const lines = source.split('\n').map((line) => line.replace(/\r$/, ''));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
