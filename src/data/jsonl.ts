import { writeFile } from 'node:fs/promises';
import {
  candidate,
  emptyContribution,
  overlapError,
  spanError,
  type Contribution,
} from './candidates.js';
import type { EntityAnnotation, Example } from './example.js';

/**
 * The canonical interchange format, one example per line:
 *
 *   {"text": "refund A1234", "intent": "refund_request",
 *    "entities": [{"type": "order_id", "start": 7, "end": 12}]}
 *
 * Offsets are UTF-16 code units, end-exclusive. `entities` may be left out; an entity may carry
 * `value` (checked against the text) and `normalized` (its synonym value). Other keys are
 * ignored. A `.json` file holding one array of such objects is read the same way, each item
 * reported at the line where it starts.
 */

export function readJsonl(source: string, file: string): Contribution {
  const out = emptyContribution();
  source.split('\n').forEach((raw, i) => {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '') return;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      out.candidates.push(rejected(file, i + 1, `bad JSON: ${(err as Error).message}`));
      return;
    }
    out.candidates.push(toCandidate(data, file, i + 1));
  });
  return out;
}

export function readJsonArray(source: string, file: string): Contribution {
  const out = emptyContribution();
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (err) {
    out.problems.push({ file, line: 1, message: `bad JSON: ${(err as Error).message}` });
    return out;
  }
  if (!Array.isArray(data)) {
    out.problems.push({
      file,
      line: 1,
      message: 'a .json data file must hold one array of examples',
    });
    return out;
  }
  const lines = itemLines(source);
  data.forEach((item, i) => out.candidates.push(toCandidate(item, file, lines[i] ?? 1)));
  return out;
}

function rejected(file: string, line: number, error: string) {
  return candidate(file, line, { text: '', intent: '', entities: [] }, { errors: [error] });
}

function toCandidate(data: unknown, file: string, line: number) {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return rejected(file, line, 'expected a JSON object with `text`, `intent` and `entities`');
  }
  const row = data as Record<string, unknown>;
  const errors: string[] = [];
  const text = typeof row.text === 'string' ? row.text : '';
  const intent = typeof row.intent === 'string' ? row.intent.trim() : '';
  if (typeof row.text !== 'string' || text.trim() === '')
    errors.push('`text` must be a non-empty string');
  if (intent === '') errors.push('`intent` must be a non-empty string');

  const entities = readEntities(row.entities, text, errors);
  return candidate(
    file,
    line,
    { text, intent, entities },
    {
      errors,
      typesSeen: entities.map((e) => e.type),
    },
  );
}

function readEntities(value: unknown, text: string, errors: string[]): EntityAnnotation[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.push('`entities` must be a list');
    return [];
  }
  const entities: EntityAnnotation[] = [];
  value.forEach((raw, i) => {
    const entity = readEntity(raw, text, `entity ${i + 1}`, errors);
    if (entity) entities.push(entity);
  });
  const overlap = overlapError(entities);
  if (overlap !== undefined) errors.push(overlap);
  return entities;
}

function readEntity(
  raw: unknown,
  text: string,
  label: string,
  errors: string[],
): EntityAnnotation | undefined {
  const e = (raw ?? {}) as Record<string, unknown>;
  if (typeof e.type !== 'string' || e.type.trim() === '') {
    errors.push(`${label} needs a non-empty string \`type\``);
    return undefined;
  }
  const span = { start: e.start as number, end: e.end as number };
  const named = `${label} \`${e.type}\``;
  if (typeof e.start !== 'number' || typeof e.end !== 'number') {
    errors.push(`${named} needs numeric \`start\` and \`end\``);
    return undefined;
  }
  const bad = spanError(text, span);
  if (bad !== undefined) {
    errors.push(`${named}: ${bad}`);
    return undefined;
  }
  const value = text.slice(span.start, span.end);
  if (e.value !== undefined && e.value !== value) {
    errors.push(
      `${named}: \`value\` ${JSON.stringify(e.value)} is not the text at [${span.start}, ${span.end})`,
    );
    return undefined;
  }
  const normalized = typeof e.normalized === 'string' ? { normalized: e.normalized } : {};
  return { type: e.type, start: span.start, end: span.end, value, ...normalized };
}

/** 1-based line on which each top-level array item starts. */
function itemLines(source: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectItem = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    if (char === '\n') line += 1;
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (expectItem && !/\s/.test(char) && char !== ']') {
      lines.push(line);
      expectItem = false;
    }
    if (char === '"') inString = true;
    else if (char === '[' || char === '{') expectItem = depth++ === 0 && char === '[';
    else if (char === ']' || char === '}') depth -= 1;
    else if (char === ',' && depth === 1) expectItem = true;
  }
  return lines;
}

/** One canonical JSON line per example (`source` is left out). */
export function toJsonl(examples: readonly Example[]): string {
  return examples
    .map((example) =>
      JSON.stringify({
        text: example.text,
        intent: example.intent,
        entities: example.entities.map((e) => ({
          type: e.type,
          start: e.start,
          end: e.end,
          value: e.value,
          ...(e.normalized !== undefined ? { normalized: e.normalized } : {}),
        })),
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export async function writeJsonl(path: string, examples: readonly Example[]): Promise<void> {
  await writeFile(path, toJsonl(examples), 'utf8');
}
