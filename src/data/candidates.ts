import { tokenize } from '../nlu/tokenize.js';
import { alignEntities } from './bio.js';
import type { Dataset, EntityAnnotation, Example, ImportProblem, LookupTable } from './example.js';
import type { RegexFeature } from './example.js';

/**
 * One example as a reader found it, before the file set is validated as a whole. A candidate
 * with `errors` is not imported; `warnings` describe repairs made to an imported one.
 */
export interface Candidate {
  example: Example;
  file: string;
  line: number;
  errors: string[];
  warnings: string[];
  /** True for hand-written Rasa markup, where a type used once is most likely a typo. */
  markup: boolean;
  /** Entity types named on this line, including ones in annotations too broken to import. */
  typesSeen: string[];
}

/** What one file contributed; readers return this and the loader merges a file set. */
export interface Contribution {
  candidates: Candidate[];
  /** Problems not tied to an example (bad YAML, a regex that does not compile, …). */
  problems: ImportProblem[];
  synonyms: Record<string, string>;
  regexes: RegexFeature[];
  lookups: LookupTable[];
  /** Entity types a file declares (a Rasa `entities:` list). */
  declaredTypes: string[];
}

export interface FinishOptions {
  strict?: boolean;
  knownEntityTypes?: readonly string[];
}

export function emptyContribution(): Contribution {
  return {
    candidates: [],
    problems: [],
    synonyms: {},
    regexes: [],
    lookups: [],
    declaredTypes: [],
  };
}

export function candidate(
  file: string,
  line: number,
  example: Omit<Example, 'source'>,
  extra: Partial<Pick<Candidate, 'errors' | 'warnings' | 'markup' | 'typesSeen'>> = {},
): Candidate {
  return {
    example: { ...example, source: { file, line } },
    file,
    line,
    errors: extra.errors ?? [],
    warnings: extra.warnings ?? [],
    markup: extra.markup ?? false,
    typesSeen: extra.typesSeen ?? example.entities.map((e) => e.type),
  };
}

/**
 * Merges what the files of one set contributed and applies the rules that need the whole set:
 * entity types, token alignment, and strict mode.
 *
 * - With `knownEntityTypes`, every entity type must be in that list.
 * - Without it, a type in Rasa markup must be declared (a Rasa `entities:` list, a regex or
 *   lookup name) or be used at least twice in the set; a type used once and declared nowhere is
 *   reported as unknown, as it is almost always a typo (`orderid` for `order_id`).
 * - An entity whose edges are not token edges is imported with a warning: training tags the
 *   tokens it overlaps.
 * - `strict: true` imports nothing when any error was found; warnings do not count.
 */
export function finishDataset(parts: Contribution[], options: FinishOptions = {}): Dataset {
  const merged = mergeContributions(parts);
  checkEntityTypes(merged, options.knownEntityTypes);

  const problems = [...merged.problems];
  const examples: Example[] = [];
  for (const c of merged.candidates) {
    if (c.errors.length > 0) {
      problems.push({ file: c.file, line: c.line, message: c.errors.join('; ') });
      continue;
    }
    const warnings = [...c.warnings, ...misalignmentWarnings(c.example)];
    if (warnings.length > 0) {
      problems.push({
        file: c.file,
        line: c.line,
        message: warnings.join('; '),
        severity: 'warning',
      });
    }
    examples.push(c.example);
  }

  const hasErrors = problems.some((p) => (p.severity ?? 'error') === 'error');
  const imported = options.strict && hasErrors ? [] : examples;
  problems.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  return {
    examples: imported,
    synonyms: merged.synonyms,
    regexes: merged.regexes,
    lookups: merged.lookups,
    summary: {
      read: merged.candidates.length,
      imported: imported.length,
      skipped: merged.candidates.length - imported.length,
      problems,
    },
  };
}

function mergeContributions(parts: Contribution[]): Contribution {
  const merged = emptyContribution();
  for (const part of parts) {
    merged.candidates.push(...part.candidates);
    merged.problems.push(...part.problems);
    Object.assign(merged.synonyms, part.synonyms);
    merged.regexes.push(...part.regexes);
    merged.lookups.push(...part.lookups);
    merged.declaredTypes.push(...part.declaredTypes);
  }
  return merged;
}

function checkEntityTypes(merged: Contribution, known: readonly string[] | undefined): void {
  const uses = new Map<string, number>();
  for (const c of merged.candidates) {
    for (const type of c.typesSeen) uses.set(type, (uses.get(type) ?? 0) + 1);
  }
  const declared = new Set([
    ...(known ?? []),
    ...merged.declaredTypes,
    ...merged.regexes.map((r) => r.name),
    ...merged.lookups.map((l) => l.name),
  ]);
  const candidatesForHint = [...new Set([...declared, ...uses.keys()])];

  for (const c of merged.candidates) {
    for (const type of new Set(c.example.entities.map((e) => e.type))) {
      const unknown =
        known !== undefined
          ? !known.includes(type)
          : c.markup && !declared.has(type) && (uses.get(type) ?? 0) < 2;
      if (!unknown) continue;
      const why =
        known !== undefined
          ? 'it is not in the list of known entity types'
          : 'it is used only here and declared nowhere in the file set';
      c.errors.push(`unknown entity type \`${type}\`: ${why}${hint(type, candidatesForHint)}`);
    }
  }
}

/** "; did you mean `order_id`?" for a near miss, or nothing. */
function hint(type: string, names: string[]): string {
  const squash = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  const near = names.find(
    (n) => n !== type && (squash(n) === squash(type) || editDistance(n, type) <= 1),
  );
  return near === undefined ? '' : ` (did you mean \`${near}\`?)`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function misalignmentWarnings(example: Example): string[] {
  if (example.entities.length === 0) return [];
  const { misaligned } = alignEntities(tokenize(example.text), example.entities);
  return misaligned.map(
    (m) => `entity \`${m.entity.type}\` [${m.entity.start}, ${m.entity.end}) ${m.reason}`,
  );
}

/** Checks a span against the text; returns the reason it is unusable, or undefined. */
export function spanError(
  text: string,
  entity: Pick<EntityAnnotation, 'start' | 'end'>,
): string | undefined {
  const { start, end } = entity;
  if (!Number.isInteger(start) || !Number.isInteger(end)) return 'offsets must be integers';
  if (start < 0) return `start ${start} is negative`;
  if (end > text.length) return `end ${end} is past the end of the text (length ${text.length})`;
  if (end <= start) return `span [${start}, ${end}) is empty or reversed`;
  if (splitsPair(text, start) || splitsPair(text, end)) {
    return `span [${start}, ${end}) splits a surrogate pair; offsets are UTF-16 code units`;
  }
  return undefined;
}

function splitsPair(text: string, index: number): boolean {
  const before = text.charCodeAt(index - 1);
  const after = text.charCodeAt(index);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/** The reason two of the entities overlap, or undefined. Entities need not be sorted. */
export function overlapError(
  entities: readonly Pick<EntityAnnotation, 'type' | 'start' | 'end'>[],
): string | undefined {
  const sorted = [...entities].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i += 1) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (b.start < a.end) {
      return `entities \`${a.type}\` [${a.start}, ${a.end}) and \`${b.type}\` [${b.start}, ${b.end}) overlap`;
    }
  }
  return undefined;
}
