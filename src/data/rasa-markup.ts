import type { EntityAnnotation } from './example.js';

/**
 * Rasa's inline entity markup in one training example:
 *
 *   [A1234](order_id)                          entity of type order_id
 *   [credit](payment:credit_card)              type payment, synonym value credit_card
 *   [30]{"entity": "amount", "value": "30.00"} the same in JSON form (`role`, `group` ignored)
 *
 * Anything that starts like markup and is not well formed is an error, never plain text: a
 * broken annotation read as text trains the model on the wrong words and nothing says why.
 */

export interface ParsedMarkup {
  /** The example with markup removed. */
  text: string;
  entities: EntityAnnotation[];
  errors: string[];
  /** Entity types named, including in annotations too broken to use. */
  typesSeen: string[];
}

const TYPE_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_.\-]*$/u;
const JSON_KEYS = new Set(['entity', 'value', 'role', 'group']);

export function parseMarkup(line: string): ParsedMarkup {
  const out: ParsedMarkup = { text: '', entities: [], errors: [], typesSeen: [] };
  let i = 0;

  while (i < line.length) {
    const char = line[i];
    if (char === ']') {
      out.errors.push(`\`]\` at column ${i + 1} closes no \`[\``);
      return out;
    }
    if (char !== '[') {
      out.text += char;
      i += 1;
      continue;
    }
    const next = parseAnnotation(line, i, out);
    if (next === undefined) return out;
    i = next;
  }
  return out;
}

/** Parses `[text](…)` or `[text]{…}` at `open`; returns the index after it, or undefined. */
function parseAnnotation(line: string, open: number, out: ParsedMarkup): number | undefined {
  const close = findClosingBracket(line, open, out);
  if (close === undefined) return undefined;
  const value = line.slice(open + 1, close);
  const head = `\`[${value}]\``;
  if (value.trim() === '') {
    out.errors.push(`${head} at column ${open + 1} marks no text`);
    return undefined;
  }

  const after = line[close + 1];
  if (after !== '(' && after !== '{') {
    out.errors.push(
      `${head} at column ${open + 1} is not followed by \`(type)\` or \`{"entity": …}\``,
    );
    return undefined;
  }
  const body =
    after === '('
      ? parseParenthesis(line, close + 1, head, out)
      : parseJson(line, close + 1, head, out);
  if (body === undefined) return undefined;

  const start = out.text.length;
  out.text += value;
  out.entities.push({
    type: body.type,
    start,
    end: out.text.length,
    value,
    ...(body.normalized !== undefined && body.normalized !== value
      ? { normalized: body.normalized }
      : {}),
  });
  return body.next;
}

function findClosingBracket(line: string, open: number, out: ParsedMarkup): number | undefined {
  for (let i = open + 1; i < line.length; i += 1) {
    if (line[i] === ']') return i;
    if (line[i] === '[') {
      out.errors.push(`\`[\` at column ${open + 1} is not closed before another \`[\``);
      return undefined;
    }
  }
  out.errors.push(`unclosed bracket: \`[\` at column ${open + 1} has no \`]\``);
  return undefined;
}

interface Body {
  type: string;
  normalized?: string;
  next: number;
}

/** `(type)` or `(type:value)` starting at `open`. */
function parseParenthesis(
  line: string,
  open: number,
  head: string,
  out: ParsedMarkup,
): Body | undefined {
  let end = open + 1;
  while (end < line.length && !'()[]{}'.includes(line[end])) end += 1;
  const inner = line.slice(open + 1, end);
  const guess = /^[\p{L}\p{N}_.\-]+/u.exec(inner.trim())?.[0];

  if (line[end] !== ')') {
    if (guess) out.typesSeen.push(guess);
    const found = end < line.length ? `\`${line[end]}\`` : 'the end of the line';
    const kind =
      end < line.length && '}]'.includes(line[end])
        ? 'mismatched brace/parenthesis'
        : 'unclosed parenthesis';
    out.errors.push(
      `${kind}: \`(\` after ${head} at column ${open + 1} reaches ${found} before \`)\``,
    );
    return undefined;
  }

  const colon = inner.indexOf(':');
  const type = (colon < 0 ? inner : inner.slice(0, colon)).trim();
  const normalized = colon < 0 ? undefined : inner.slice(colon + 1).trim();
  if (!TYPE_NAME.test(type)) {
    out.errors.push(
      `entity type \`${type}\` after ${head} is not a valid name (letters, digits, _ . -)`,
    );
    return undefined;
  }
  out.typesSeen.push(type);
  if (normalized === '') {
    out.errors.push(`${head}(${inner}) has an empty synonym value after \`:\``);
    return undefined;
  }
  return { type, normalized, next: end + 1 };
}

/** `{"entity": "type", "value": "v"}` starting at `open`; strings may hold any character. */
function parseJson(line: string, open: number, head: string, out: ParsedMarkup): Body | undefined {
  const end = findJsonEnd(line, open);
  const guess = /"entity"\s*:\s*"([^"]*)"/.exec(line.slice(open))?.[1];

  if (end.kind !== 'closed') {
    if (guess) out.typesSeen.push(guess);
    const what =
      end.kind === 'mismatched'
        ? `mismatched brace/parenthesis: \`{\` after ${head} at column ${open + 1} is closed by \`${line[end.at]}\``
        : `unclosed brace: \`{\` after ${head} at column ${open + 1} has no \`}\``;
    out.errors.push(what);
    return undefined;
  }

  let data: unknown;
  try {
    data = JSON.parse(line.slice(open, end.at + 1));
  } catch (err) {
    out.errors.push(`the JSON after ${head} is not valid: ${(err as Error).message}`);
    return undefined;
  }
  const fields = data as Record<string, unknown>;
  const problem = jsonBodyProblem(fields);
  if (problem !== undefined) {
    if (typeof fields?.entity === 'string') out.typesSeen.push(fields.entity);
    out.errors.push(`the JSON after ${head} ${problem}`);
    return undefined;
  }
  out.typesSeen.push(fields.entity as string);
  return {
    type: fields.entity as string,
    normalized: fields.value as string | undefined,
    next: end.at + 1,
  };
}

function jsonBodyProblem(fields: Record<string, unknown>): string | undefined {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields))
    return 'is not an object';
  if (typeof fields.entity !== 'string' || !TYPE_NAME.test(fields.entity)) {
    return 'needs `"entity"` with a valid type name';
  }
  if (fields.value !== undefined && typeof fields.value !== 'string')
    return 'has a `value` that is not a string';
  const extra = Object.keys(fields).filter((key) => !JSON_KEYS.has(key));
  if (extra.length > 0) return `has unknown keys ${extra.map((k) => `\`${k}\``).join(', ')}`;
  return undefined;
}

/** Finds the `}` that closes the `{` at `open`, skipping JSON strings. */
function findJsonEnd(
  line: string,
  open: number,
): { kind: 'closed' | 'mismatched'; at: number } | { kind: 'unclosed' } {
  let depth = 0;
  let inString = false;
  for (let i = open; i < line.length; i += 1) {
    const char = line[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{') depth += 1;
    else if (char === '}' && --depth === 0) return { kind: 'closed', at: i };
    else if (char === ')' || char === ']') return { kind: 'mismatched', at: i };
  }
  return { kind: 'unclosed' };
}

/** Writes one example in Rasa markup; the inverse of `parseMarkup` for well-formed input. */
export function toMarkup(text: string, entities: readonly EntityAnnotation[]): string {
  const sorted = [...entities].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const entity of sorted) {
    out += text.slice(at, entity.start);
    const value = text.slice(entity.start, entity.end);
    const normalized = entity.normalized !== undefined && entity.normalized !== value;
    out += normalized
      ? `[${value}]${JSON.stringify({ entity: entity.type, value: entity.normalized })}`
      : `[${value}](${entity.type})`;
    at = entity.end;
  }
  return out + text.slice(at);
}

/** Why a text cannot be written as one Rasa example line, or undefined. */
export function unwritableReason(
  text: string,
  entities: readonly EntityAnnotation[],
): string | undefined {
  if (/[\r\n\u2028\u2029]/.test(text)) return 'the text has a line break';
  if (/[[\]]/.test(text)) return 'the text has `[` or `]`, which Rasa markup cannot escape';
  if (text.trim() === '') return 'the text is empty';
  const sorted = [...entities].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i += 1) {
    if (sorted[i].start < sorted[i - 1].end) return 'two entities overlap';
  }
  if (entities.some((e) => !TYPE_NAME.test(e.type)))
    return 'an entity type is not a valid Rasa name';
  return undefined;
}
