/**
 * The canonical training example: the text as written, its intent, and its entities as character
 * offsets into that text. Offsets are JavaScript string indices (UTF-16 code units), end-exclusive,
 * so `text.slice(start, end) === value` always holds.
 */
export interface EntityAnnotation {
  type: string;
  start: number;
  end: number;
  /** Exactly `text.slice(start, end)`. */
  value: string;
  /** The canonical value a synonym maps this mention to, when one does. */
  normalized?: string;
}

export interface Example {
  text: string;
  intent: string;
  entities: EntityAnnotation[];
  /** Where the example came from, for error messages and reports. */
  source?: { file: string; line: number };
}

/** One problem found while importing, always with the place it was found. */
export interface ImportProblem {
  file: string;
  /** 1-based line (or CSV row / JSONL line) number. */
  line: number;
  message: string;
  /**
   * `error` (the default when absent): the item was not imported. `warning`: it was imported
   * after a documented repair (for example an `I-` tag that starts a span, read as `B-`).
   */
  severity?: 'error' | 'warning';
}

export interface ImportSummary {
  /** Items seen in the input. */
  read: number;
  imported: number;
  skipped: number;
  problems: ImportProblem[];
}

export interface RegexFeature {
  name: string;
  pattern: string;
}

export interface LookupTable {
  name: string;
  values: string[];
}

export interface Dataset {
  examples: Example[];
  /** Mention (lower-cased) to canonical value. */
  synonyms: Record<string, string>;
  regexes: RegexFeature[];
  lookups: LookupTable[];
  summary: ImportSummary;
}

export type DataFormat = 'rasa' | 'jointbert' | 'csv' | 'jsonl';
