import {
  LineCounter,
  Scalar,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Node,
  type YAMLMap,
} from 'yaml';
import { candidate, emptyContribution, type Contribution } from './candidates.js';
import type { Dataset, Example } from './example.js';
import { parseMarkup, toMarkup, unwritableReason } from './rasa-markup.js';

/**
 * Rasa NLU training data (YAML, format 3.x): `nlu:` items with `intent:`, `synonym:`, `regex:`
 * or `lookup:` and an `examples: |` block of `- ` lines; a top-level `entities:` list (as in a
 * domain file) declares entity types. Other top-level keys (stories, rules, responses, …) are
 * ignored.
 *
 * Line numbers are real file lines: an `examples: |` literal block keeps one value line per
 * source line, so line i of the value sits i lines below the `|`. Other scalar styles fold
 * lines, so their examples report the line where the scalar starts.
 */

const ITEM_KINDS = ['intent', 'synonym', 'regex', 'lookup'] as const;
type ItemKind = (typeof ITEM_KINDS)[number];
const ITEM_KEYS = new Set<string>([...ITEM_KINDS, 'examples', 'metadata']);

interface ItemLine {
  text: string;
  line: number;
}

export function readRasaYaml(source: string, file: string): Contribution {
  const out = emptyContribution();
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined) => lines.linePos(node?.range?.[0] ?? 0).line;

  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = err.linePos?.[0].line ?? 1;
      out.problems.push({ file, line, message: `YAML syntax error: ${firstLine(err.message)}` });
    }
    return out;
  }
  if (doc.contents === null) return out;
  if (!isMap(doc.contents)) {
    out.problems.push({
      file,
      line: lineOf(doc.contents),
      message: 'the file is not a YAML mapping',
    });
    return out;
  }

  readDeclaredEntities(doc.contents, out);
  const nlu = doc.contents.get('nlu', true);
  if (nlu === undefined) return out;
  if (!isSeq(nlu)) {
    out.problems.push({
      file,
      line: lineOf(nlu as Node),
      message: '`nlu:` must be a list of items',
    });
    return out;
  }
  for (const item of nlu.items) {
    readItem(item as Node, file, out, lineOf, lines);
  }
  return out;
}

function readDeclaredEntities(root: YAMLMap, out: Contribution): void {
  const entities = root.get('entities', true);
  if (!isSeq(entities)) return;
  for (const entry of entities.items) {
    if (isScalar(entry)) out.declaredTypes.push(String(entry.value));
    else if (isMap(entry))
      out.declaredTypes.push(...entry.items.map((pair) => String((pair.key as Scalar).value)));
  }
}

function readItem(
  item: Node,
  file: string,
  out: Contribution,
  lineOf: (node: Node | null | undefined) => number,
  lines: LineCounter,
): void {
  const at = lineOf(item);
  if (!isMap(item)) {
    out.problems.push({ file, line: at, message: '`nlu:` item is not a mapping' });
    return;
  }
  const keys = item.items.map((pair) => String((pair.key as Scalar).value));
  const kinds = keys.filter((key): key is ItemKind =>
    (ITEM_KINDS as readonly string[]).includes(key),
  );
  const unknown = keys.filter((key) => !ITEM_KEYS.has(key));
  const name = kinds.length === 1 ? item.get(kinds[0]) : undefined;

  if (kinds.length !== 1 || unknown.length > 0 || typeof name !== 'string' || name.trim() === '') {
    const detail =
      unknown.length > 0
        ? `has unknown keys ${unknown.map((k) => `\`${k}\``).join(', ')}`
        : `needs exactly one of ${ITEM_KINDS.map((k) => `\`${k}:\``).join(', ')} with a name`;
    out.problems.push({ file, line: at, message: `\`nlu:\` item ${detail}` });
    return;
  }

  const examples = exampleLines(item.get('examples', true) as Node | undefined, lines);
  if (examples === undefined) {
    out.problems.push({
      file,
      line: at,
      message: `\`${kinds[0]}: ${name}\` has no \`examples:\` block`,
    });
    return;
  }
  const read = { intent: readIntent, synonym: readSynonym, regex: readRegex, lookup: readLookup }[
    kinds[0]
  ];
  read(name.trim(), examples, file, out);
}

/** The `- ` lines of an `examples:` value with their file line numbers. */
function exampleLines(node: Node | undefined, lines: LineCounter): ItemLine[] | undefined {
  if (node === undefined) return undefined;
  const start = lines.linePos(node.range?.[0] ?? 0).line;

  if (isSeq(node)) {
    // Rasa's extended form: a list of `{ text: …, metadata: … }` maps.
    return node.items.map((entry) => {
      const text = isMap(entry) ? entry.get('text') : isScalar(entry) ? entry.value : undefined;
      const line = lines.linePos((entry as Node).range?.[0] ?? 0).line;
      return { text: `- ${String(text ?? '')}`, line };
    });
  }
  if (!isScalar(node) || typeof node.value !== 'string') return undefined;

  const literal = node.type === Scalar.BLOCK_LITERAL;
  return node.value
    .split('\n')
    .map((text, i) => ({ text, line: literal ? start + 1 + i : start }))
    .filter((entry) => entry.text.trim() !== '');
}

/** Strips the `- ` of a list line; undefined when the line is not a list item. */
function listItem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '-') return '';
  return trimmed.startsWith('- ') ? trimmed.slice(2).trim() : undefined;
}

function readIntent(intent: string, examples: ItemLine[], file: string, out: Contribution): void {
  for (const { text, line } of examples) {
    const content = listItem(text);
    if (content === undefined || content === '') {
      out.candidates.push(
        candidate(
          file,
          line,
          { text: text.trim(), intent, entities: [] },
          {
            errors: [
              content === undefined ? 'expected a list item starting with `- `' : 'empty example',
            ],
            markup: true,
          },
        ),
      );
      continue;
    }
    const parsed = parseMarkup(content);
    out.candidates.push(
      candidate(
        file,
        line,
        { text: parsed.text, intent, entities: parsed.entities },
        {
          errors: parsed.errors,
          markup: true,
          typesSeen: parsed.typesSeen,
        },
      ),
    );
    if (parsed.errors.length > 0) continue;
    for (const entity of parsed.entities) {
      if (entity.normalized !== undefined)
        out.synonyms[entity.value.toLowerCase()] = entity.normalized;
    }
  }
}

function readSynonym(
  canonical: string,
  examples: ItemLine[],
  file: string,
  out: Contribution,
): void {
  eachValue(examples, file, out, 'synonym', (value) => {
    out.synonyms[value.toLowerCase()] = canonical;
  });
}

function readRegex(name: string, examples: ItemLine[], file: string, out: Contribution): void {
  eachValue(examples, file, out, 'regex', (pattern, line) => {
    const source = pattern.startsWith('(?i)') ? pattern.slice(4) : pattern;
    try {
      new RegExp(source, 'u');
    } catch (err) {
      const why = firstLine((err as Error).message);
      out.problems.push({
        file,
        line,
        message: `regex \`${name}\`: JavaScript cannot compile it: ${why}`,
      });
      return;
    }
    out.regexes.push({ name, pattern });
  });
}

function readLookup(name: string, examples: ItemLine[], file: string, out: Contribution): void {
  const values: string[] = [];
  eachValue(examples, file, out, 'lookup', (value) => values.push(value));
  const existing = out.lookups.find((l) => l.name === name);
  if (existing) existing.values.push(...values);
  else out.lookups.push({ name, values });
}

function eachValue(
  examples: ItemLine[],
  file: string,
  out: Contribution,
  kind: string,
  use: (value: string, line: number) => void,
): void {
  for (const { text, line } of examples) {
    const value = listItem(text);
    if (value === undefined || value === '') {
      out.problems.push({
        file,
        line,
        message: `${kind} value must be a non-empty \`- \` list item`,
      });
      continue;
    }
    use(value, line);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

export interface RasaExport {
  yaml: string;
  /** Examples Rasa's format cannot hold, with the reason; everything else was written. */
  omitted: { example: Example; reason: string }[];
}

/**
 * Writes a data set as Rasa NLU YAML: intents in order of first appearance, then synonyms,
 * regexes and lookups. Surrounding white space of a text is dropped (Rasa strips it on read).
 */
export function toRasaYaml(dataset: Pick<Dataset, 'examples'> & Partial<Dataset>): RasaExport {
  const omitted: RasaExport['omitted'] = [];
  const byIntent = new Map<string, string[]>();
  for (const example of dataset.examples) {
    const reason = unwritableReason(example.text, example.entities);
    if (reason !== undefined) {
      omitted.push({ example, reason });
      continue;
    }
    const list = byIntent.get(example.intent) ?? [];
    list.push(toMarkup(example.text, example.entities).trim());
    byIntent.set(example.intent, list);
  }

  const out: string[] = ['version: "3.1"', 'nlu:'];
  for (const [intent, lines] of byIntent) out.push(...block('intent', intent, lines));
  for (const [canonical, mentions] of groupSynonyms(dataset.synonyms ?? {})) {
    out.push(...block('synonym', canonical, mentions));
  }
  for (const [name, patterns] of groupBy(
    dataset.regexes ?? [],
    (r) => r.name,
    (r) => r.pattern,
  )) {
    out.push(...block('regex', name, patterns));
  }
  for (const lookup of dataset.lookups ?? [])
    out.push(...block('lookup', lookup.name, lookup.values));
  if (out.length === 2) out[1] = 'nlu: []';
  return { yaml: `${out.join('\n')}\n`, omitted };
}

function block(kind: string, name: string, lines: string[]): string[] {
  const writable = lines.filter((line) => !/[\r\n]/.test(line) && line.trim() !== '');
  return [
    `- ${kind}: ${yamlScalar(name)}`,
    '  examples: |',
    ...writable.map((line) => `    - ${line}`),
  ];
}

/** A plain scalar when YAML reads it back unchanged, otherwise a JSON (double-quoted) one. */
function yamlScalar(value: string): string {
  return /^[\p{L}_][\p{L}\p{N}_.\-/]*$/u.test(value) &&
    !/^(true|false|null|yes|no|on|off|~)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

function groupSynonyms(synonyms: Record<string, string>): Map<string, string[]> {
  return groupBy(
    Object.entries(synonyms),
    ([, canonical]) => canonical,
    ([mention]) => mention,
  );
}

function groupBy<T>(
  items: T[],
  key: (item: T) => string,
  value: (item: T) => string,
): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const item of items) {
    const list = groups.get(key(item)) ?? [];
    list.push(value(item));
    groups.set(key(item), list);
  }
  return groups;
}
