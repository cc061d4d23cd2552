import { ParleyError } from '../core/errors.js';
import type { LookupTable, RegexFeature } from '../data/example.js';
import { ResettingCache } from './resetting-cache.js';
import { tokenize, tokenKind, type Token, type TokenKind } from './tokenize.js';

/**
 * Sparse token features for the joint model, in the spirit of Rasa's DIET with sparse inputs.
 *
 * Every token becomes a row of K feature ids (K = `maxFeaturesPerToken`), all in one id space of
 * size `featureCount`, laid out as:
 *
 *   0                      padding (an unused slot; the model masks it)
 *   1                      __CLS__ (the only feature of row 0, whose tag is the intent)
 *   2                      unknown word
 *   3 .. 3+V               words of the training vocabulary (normalised forms, sorted)
 *   ngramBase ..           `hashBuckets` hashed character n-grams and hashed word shapes
 *   shapeBase ..           fixed word-shape features (SHAPE_FEATURES, in that order)
 *   patternBase ..         one id per regex name, then one per lookup-table name (sorted)
 *
 * The output layout is `featureIds[row * K + slot]`, row 0 = CLS, row i = token i-1; unused slots
 * hold 0. Ids inside one row are distinct. Everything is deterministic: the vocabulary and
 * pattern names are sorted, and the hash (MurmurHash3 x86 32-bit over UTF-8 bytes, seeded) is
 * written here, so the same text gives the same ids in every process.
 *
 * Input limit: a text with more than `maxTokens` tokens is cut to its first `maxTokens` tokens
 * and the result says `truncated: true`; the CLS row is not counted in `maxTokens`.
 */

export interface FeaturizerConfig {
  /** Buckets for hashed n-grams and shapes (>= 1); 2**15 by default. */
  hashBuckets: number;
  /** Shortest character n-gram, counting the boundary marks `<` and `>` (>= 1). */
  ngramMin: number;
  /** Longest character n-gram (>= ngramMin). */
  ngramMax: number;
  /** K: feature slots per token row (>= 4). Extra n-grams beyond K are dropped. */
  maxFeaturesPerToken: number;
  /** Words seen fewer times than this in training map to the unknown-word id (>= 1). */
  minWordCount: number;
  /** Seed of the n-gram hash, any 32-bit unsigned integer. */
  seed: number;
  /** Input limit in tokens, CLS not counted (>= 1); longer texts are truncated. */
  maxTokens: number;
  /**
   * Adds a hashed word bigram (the previous token's normalised form and this one's; `<s>` before
   * the first) to each token row, in the n-gram buckets, ahead of the character n-grams. Saved
   * featurizers without this field read it as false.
   */
  wordBigrams: boolean;
}

export const DEFAULT_FEATURIZER_CONFIG: Readonly<FeaturizerConfig> = Object.freeze({
  hashBuckets: 2 ** 15,
  ngramMin: 2,
  ngramMax: 5,
  maxFeaturesPerToken: 24,
  minWordCount: 1,
  seed: 0x5eed,
  maxTokens: 64,
  wordBigrams: false,
});

export interface Encoded {
  /** The tokens that were encoded (after truncation), without CLS. */
  tokens: Token[];
  /** `[length * K]` ids, row-major; row 0 is __CLS__; 0 = padding. */
  featureIds: Int32Array;
  /** Rows: `tokens.length + 1`. */
  length: number;
  /** True when the text had more than `maxTokens` tokens and only a prefix was encoded. */
  truncated: boolean;
}

export interface FeaturizerExtras {
  regexes?: RegexFeature[];
  lookups?: LookupTable[];
}

/** The saved form, written next to the model. */
export interface FeaturizerJson {
  format: 'parley-featurizer';
  version: 1;
  config: FeaturizerConfig;
  vocab: string[];
  regexes: RegexFeature[];
  lookups: LookupTable[];
}

export const PAD_ID = 0;
export const CLS_ID = 1;
export const UNKNOWN_WORD_ID = 2;
const FIRST_WORD_ID = 3;

/** Fixed shape features; their position in this list is their offset from `shapeBase`. */
export const SHAPE_FEATURES = [
  'case:lower',
  'case:upper',
  'case:title',
  'case:mixed',
  'case:none',
  'has-digit',
  'digits:1',
  'digits:2-3',
  'digits:4-5',
  'digits:6+',
  'letters+digits',
  'kind:number',
  'kind:punct',
  'kind:symbol',
  'kind:currency',
  'kind:emoji',
  'kind:url',
  'kind:email',
  'kind:cjk',
  'len:1',
  'len:2',
  'len:3',
  'len:4-5',
  'len:6-8',
  'len:9-12',
  'len:13+',
] as const;

const SHAPE_INDEX = new Map<string, number>(SHAPE_FEATURES.map((name, i) => [name, i]));

// Word shapes share the n-gram buckets; a different seed keeps them from colliding by design.
const SHAPE_SEED_XOR = 0x9e3779b9;
const BIGRAM_SEED_XOR = 0x85ebca6b;

// Distinct token texts whose features are kept; the cache is emptied when it is full.
const LEXICAL_CACHE_SIZE = 50_000;

/** A token's features that depend on its text alone. */
interface LexicalFeatures {
  /** Word and shape ids: never cut. */
  head: number[];
  /** Hashed shape, then n-grams, most useful first: fill the row up to K. */
  tail: number[];
  /** The row as written when the token has no pattern hits and no bigram: head + tail, cut to K. */
  plainRow: Int32Array;
}

interface CompiledLookup {
  index: number;
  /** Normalised token sequences, grouped by their first token. */
  byFirst: Map<string, string[][]>;
}

export class Featurizer {
  readonly config: Readonly<FeaturizerConfig>;
  readonly vocab: readonly string[];
  readonly regexes: readonly RegexFeature[];
  readonly lookups: readonly LookupTable[];
  readonly ngramBase: number;
  readonly shapeBase: number;
  readonly patternBase: number;
  /** Size of the id space; every id is in [0, featureCount). */
  readonly featureCount: number;

  private readonly wordIds: Map<string, number>;
  private readonly regexNames: string[];
  private readonly compiledRegexes: { index: number; re: RegExp }[];
  private readonly compiledLookups: CompiledLookup[];
  private readonly lexicalCache = new ResettingCache<LexicalFeatures>(LEXICAL_CACHE_SIZE);
  /** One row's ids before the cut to K (head, patterns, bigram, tail); reused by every row. */
  private readonly rowScratch: Int32Array;

  private constructor(
    config: FeaturizerConfig,
    vocab: string[],
    regexes: RegexFeature[],
    lookups: LookupTable[],
  ) {
    this.config = Object.freeze({ ...config });
    this.vocab = Object.freeze([...vocab]);
    this.regexes = Object.freeze(regexes.map((r) => ({ ...r })));
    this.lookups = Object.freeze(lookups.map((l) => ({ name: l.name, values: [...l.values] })));
    this.wordIds = new Map(vocab.map((word, i) => [word, FIRST_WORD_ID + i]));

    this.ngramBase = FIRST_WORD_ID + vocab.length;
    this.shapeBase = this.ngramBase + config.hashBuckets;
    this.patternBase = this.shapeBase + SHAPE_FEATURES.length;

    this.regexNames = [...new Set(regexes.map((r) => r.name))].sort();
    this.compiledRegexes = regexes.map((r) => ({
      index: this.regexNames.indexOf(r.name),
      re: compileRegex(r),
    }));
    const lookupNames = [...new Set(lookups.map((l) => l.name))].sort();
    this.compiledLookups = lookupNames.map((name, i) =>
      compileLookup(
        this.regexNames.length + i,
        lookups.filter((l) => l.name === name),
      ),
    );
    this.featureCount = this.patternBase + this.regexNames.length + lookupNames.length;
    this.rowScratch = new Int32Array(
      1 +
        SHAPE_FEATURES.length +
        this.regexNames.length +
        lookupNames.length +
        1 +
        config.maxFeaturesPerToken,
    );
  }

  /** Builds the vocabulary from training texts; `config` fields left out take the defaults. */
  static fit(
    texts: readonly string[],
    config: Partial<FeaturizerConfig> = {},
    extras: FeaturizerExtras = {},
  ): Featurizer {
    const full = validateConfig({ ...DEFAULT_FEATURIZER_CONFIG, ...config });
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const token of tokenize(text)) {
        if (!isVocabularyWord(token)) continue;
        counts.set(token.norm, (counts.get(token.norm) ?? 0) + 1);
      }
    }
    const vocab = [...counts]
      .filter(([, n]) => n >= full.minWordCount)
      .map(([word]) => word)
      .sort(compareCodeUnits);
    return new Featurizer(full, vocab, extras.regexes ?? [], extras.lookups ?? []);
  }

  static fromJSON(json: unknown): Featurizer {
    const data = json as Partial<FeaturizerJson> | null;
    if (data?.format !== 'parley-featurizer' || data.version !== 1) {
      throw new ParleyError(
        'MODEL_INVALID',
        `featurizer JSON has format ${String(data?.format)} version ${String(data?.version)}; ` +
          'expected parley-featurizer version 1',
      );
    }
    if (!Array.isArray(data.vocab) || !data.vocab.every((w) => typeof w === 'string')) {
      throw new ParleyError('MODEL_INVALID', 'featurizer JSON: `vocab` must be a list of strings');
    }
    // Fields added after a featurizer was saved keep the meaning it was trained with.
    const config = validateConfig({
      ...DEFAULT_FEATURIZER_CONFIG,
      wordBigrams: false,
      ...data.config,
    });
    return new Featurizer(config, data.vocab, data.regexes ?? [], data.lookups ?? []);
  }

  toJSON(): FeaturizerJson {
    return {
      format: 'parley-featurizer',
      version: 1,
      config: { ...this.config },
      vocab: [...this.vocab],
      regexes: this.regexes.map((r) => ({ ...r })),
      lookups: this.lookups.map((l) => ({ name: l.name, values: [...l.values] })),
    };
  }

  encode(text: string): Encoded {
    return this.encodeTokens(text, tokenize(text));
  }

  /** Encodes tokens already cut from `text` (offsets must point into `text`). */
  encodeTokens(text: string, allTokens: readonly Token[]): Encoded {
    const truncated = allTokens.length > this.config.maxTokens;
    const tokens = truncated ? allTokens.slice(0, this.config.maxTokens) : [...allTokens];
    const k = this.config.maxFeaturesPerToken;
    const featureIds = zeroedIds((tokens.length + 1) * k);
    featureIds[0] = CLS_ID;

    const patterns = this.patternHits(text, tokens);
    for (let i = 0; i < tokens.length; i += 1) {
      const bigram = this.config.wordBigrams
        ? this.bigramId(i > 0 ? tokens[i - 1].norm : '<s>', tokens[i].norm)
        : undefined;
      this.writeTokenRow(featureIds, (i + 1) * k, tokens[i], patterns[i], bigram);
    }
    return { tokens, featureIds, length: tokens.length + 1, truncated };
  }

  /** The word id of a normalised token: a vocabulary id or UNKNOWN_WORD_ID. */
  wordId(norm: string): number {
    return this.wordIds.get(norm) ?? UNKNOWN_WORD_ID;
  }

  /** A readable name for an id, for debugging and reports. */
  describe(id: number): string {
    if (id === PAD_ID) return '__PAD__';
    if (id === CLS_ID) return '__CLS__';
    if (id === UNKNOWN_WORD_ID) return '__UNK__';
    if (id < this.ngramBase) return `word:${this.vocab[id - FIRST_WORD_ID]}`;
    if (id < this.shapeBase) return `hash:${id - this.ngramBase}`;
    if (id < this.patternBase) return `shape:${SHAPE_FEATURES[id - this.shapeBase]}`;
    const p = id - this.patternBase;
    if (p < this.regexNames.length) return `regex:${this.regexNames[p]}`;
    if (p < this.regexNames.length + this.compiledLookups.length) {
      return `lookup:${this.lookupName(p)}`;
    }
    throw new ParleyError('BAD_REQUEST', `feature id ${id} is outside [0, ${this.featureCount})`);
  }

  private lookupName(patternIndex: number): string {
    const names = [...new Set(this.lookups.map((l) => l.name))].sort();
    return names[patternIndex - this.regexNames.length];
  }

  /**
   * Writes one row of distinct ids at `at`: word, shapes, patterns, bigram, then hashed shape and
   * n-grams while the row has room; the first K of them. The id ranges keep these apart (top of
   * this file) except the bigram and the tail, which share the hash buckets: a tail id equal to
   * the bigram is skipped.
   */
  private writeTokenRow(
    out: Int32Array,
    at: number,
    token: Token,
    patternIndexes: number[] | undefined,
    bigram: number | undefined,
  ): void {
    const k = this.config.maxFeaturesPerToken;
    const { head, tail, plainRow } = this.lexicalFeatures(token);
    if (patternIndexes === undefined && bigram === undefined) {
      out.set(plainRow, at); // most tokens: no pattern hits, no bigram
      return;
    }
    const row = this.rowScratch;
    let n = 0;
    for (const id of head) row[n++] = id;
    if (patternIndexes) for (const p of patternIndexes) row[n++] = this.patternBase + p;
    if (bigram !== undefined) row[n++] = bigram;
    for (const id of tail) {
      if (n >= k) break;
      if (id !== bigram) row[n++] = id;
    }
    out.set(row.subarray(0, Math.min(n, k)), at);
  }

  /** The hashed id of the word pair (previous, current), both normalised. */
  private bigramId(previous: string, current: string): number {
    const seed = (this.config.seed ^ BIGRAM_SEED_XOR) >>> 0;
    return (
      this.ngramBase + (murmur3(utf8(`${previous} ${current}`), seed) % this.config.hashBuckets)
    );
  }

  /**
   * The features that depend on the token's text alone, cached by text: training encodes the
   * same words every epoch, and prediction sees the same words in every message.
   */
  private lexicalFeatures(token: Token): LexicalFeatures {
    const cached = this.lexicalCache.get(token.text);
    if (cached !== undefined) return cached;

    const kind = tokenKind(token.text);
    const head = [isVocabularyWord(token, kind) ? this.wordId(token.norm) : UNKNOWN_WORD_ID];
    for (const name of shapeFeatures(token.text, kind)) {
      head.push(this.shapeBase + (SHAPE_INDEX.get(name) as number));
    }

    const { hashBuckets: buckets, ngramMin, ngramMax, maxFeaturesPerToken: k } = this.config;
    const seed = this.config.seed >>> 0;
    const tail = new Set<number>();
    tail.add(
      this.ngramBase + (murmur3(utf8(wordShape(token.text)), seed ^ SHAPE_SEED_XOR) % buckets),
    );
    for (const hash of ngramHashes(token.norm, ngramMin, ngramMax, seed)) {
      if (tail.size >= k) break;
      tail.add(this.ngramBase + (hash % buckets));
    }

    const tailIds = [...tail];
    const plainRow = Int32Array.from([...head, ...tailIds].slice(0, k));
    const features = { head, tail: tailIds, plainRow };
    this.lexicalCache.set(token.text, features);
    return features;
  }

  /** For each token, the pattern indexes (regex names, then lookup names) that cover it. */
  private patternHits(text: string, tokens: readonly Token[]): (number[] | undefined)[] {
    const hits: (number[] | undefined)[] = new Array(tokens.length);
    const mark = (i: number, p: number) => {
      const list = (hits[i] ??= []);
      if (!list.includes(p)) list.push(p);
    };

    // exec on the compiled global regex, not matchAll: matchAll copies the regex on every call,
    // which cost more than the scans (shop data, its 8 regexes: 2.9 -> 0.7 µs a message).
    const lastEnd = tokens.length > 0 ? tokens[tokens.length - 1].end : 0;
    for (const { index, re } of this.compiledRegexes) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        const start = m.index;
        const end = start + m[0].length;
        if (start >= lastEnd) break; // past the (possibly truncated) tokens
        if (end === start) {
          // an empty match: step over one code point, as matchAll would
          re.lastIndex = start + ((text.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
          continue;
        }
        for (let i = 0; i < tokens.length; i++) {
          if (tokens[i].start < end && tokens[i].end > start) mark(i, index);
        }
      }
    }

    for (const lookup of this.compiledLookups) {
      tokens.forEach((t, i) => {
        for (const seq of lookup.byFirst.get(t.norm) ?? NO_SEQUENCES) {
          if (!seq.every((norm, j) => tokens[i + j]?.norm === norm)) continue;
          for (let j = 0; j < seq.length; j += 1) mark(i + j, lookup.index);
        }
      });
    }
    return hits;
  }
}

/**
 * Numbers, URLs, e-mail addresses and anything with a digit (order ids) never enter the
 * vocabulary: memorising `A1234` would teach the model a word it will never see again. They get
 * the unknown-word id in training and at run time alike; shapes and n-grams describe them.
 */
function isVocabularyWord(token: Token, kind: TokenKind = tokenKind(token.text)): boolean {
  if (kind === 'number' || kind === 'url' || kind === 'email') return false;
  return !/\p{Nd}/u.test(token.text);
}

function shapeFeatures(text: string, kind: TokenKind): string[] {
  const names: string[] = [caseFeature(text)];
  const digits = countMatches(text, /\p{Nd}/gu);
  if (digits > 0) {
    names.push('has-digit');
    names.push(
      digits === 1
        ? 'digits:1'
        : digits <= 3
          ? 'digits:2-3'
          : digits <= 5
            ? 'digits:4-5'
            : 'digits:6+',
    );
    if (/\p{L}/u.test(text)) names.push('letters+digits');
  }
  if (kind !== 'word') names.push(`kind:${kind}`);

  const length = [...text].length;
  names.push(
    length <= 3
      ? `len:${length}`
      : length <= 5
        ? 'len:4-5'
        : length <= 8
          ? 'len:6-8'
          : length <= 12
            ? 'len:9-12'
            : 'len:13+',
  );
  return names;
}

function caseFeature(text: string): string {
  const upper = /\p{Lu}/u.test(text);
  const lower = /\p{Ll}/u.test(text);
  if (!upper && !lower) return 'case:none';
  if (!upper) return 'case:lower';
  if (!lower) return 'case:upper';
  return /^\P{Ll}\P{Lu}*$/u.test(text) ? 'case:title' : 'case:mixed';
}

/** `A1234` -> `Xdddd`, `don’t` -> `xxx'x`; runs longer than 4 are cut to 4, at most 16 chars. */
function wordShape(text: string): string {
  let shape = '';
  let last = '';
  let run = 0;
  for (const char of text.normalize('NFKC')) {
    const c = shapeChar(char);
    run = c === last ? run + 1 : 1;
    last = c;
    if (run <= 4) shape += c;
    if (shape.length >= 16) break;
  }
  return `shape:${shape}`;
}

function shapeChar(char: string): string {
  if (char >= 'a' && char <= 'z') return 'x';
  if (char >= 'A' && char <= 'Z') return 'X';
  if (char >= '0' && char <= '9') return 'd';
  if (/\p{Lu}/u.test(char)) return 'X';
  if (/\p{L}/u.test(char)) return 'x';
  if (/\p{Nd}/u.test(char)) return 'd';
  return char === '\u2019' || char === '\u2018' || char === '\u02BC' ? "'" : char;
}

/**
 * Hashes of the character n-grams of `<norm>` (boundary marks included), most useful first:
 * prefixes and suffixes of every length, then inner n-grams by length and position.
 */
function ngramHashes(norm: string, min: number, max: number, seed: number): number[] {
  const chars = ['<', ...norm, '>'];
  const bytes = utf8(chars.join(''));
  const offsets = byteOffsets(chars);
  const hashAt = (from: number, n: number) =>
    murmur3(bytes.subarray(offsets[from], offsets[from + n]), seed);

  const last = chars.length;
  const edges: number[] = [];
  const inner: number[] = [];
  for (let n = min; n <= Math.min(max, last); n += 1) {
    edges.push(hashAt(0, n));
    if (last - n > 0) edges.push(hashAt(last - n, n));
    for (let from = 1; from < last - n; from += 1) inner.push(hashAt(from, n));
  }
  return [...edges, ...inner];
}

function byteOffsets(chars: string[]): number[] {
  const offsets = [0];
  for (const char of chars) {
    const cp = char.codePointAt(0) as number;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    offsets.push(offsets[offsets.length - 1] + size);
  }
  return offsets;
}

const encoder = new TextEncoder();

function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** MurmurHash3, x86 32-bit variant, over bytes; returns an unsigned 32-bit integer. */
export function murmur3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = bytes.length & ~3;

  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }

  let k = 0;
  const tail = bytes.length & 3;
  if (tail === 3) k ^= bytes[blocks + 2] << 16;
  if (tail >= 2) k ^= bytes[blocks + 1] << 8;
  if (tail >= 1) {
    k ^= bytes[blocks];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }

  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A zero-filled Int32Array of `size`, cut from a shared block that is never written twice: one
 * typed array of its own per message lives outside the JS heap, and allocating it took close to
 * a microsecond (encoding the tokens of a shop message: 4.7 -> 3.9 µs). A block is freed when
 * no message holds a part.
 */
function zeroedIds(size: number): Int32Array {
  if (idBlockUsed + size > idBlock.length) {
    idBlock = new Int32Array(Math.max(ID_BLOCK_SIZE, size));
    idBlockUsed = 0;
  }
  const ids = idBlock.subarray(idBlockUsed, idBlockUsed + size);
  idBlockUsed += size;
  return ids;
}

const ID_BLOCK_SIZE = 1 << 16;
let idBlock = new Int32Array(0);
let idBlockUsed = 0;

function compileRegex(feature: RegexFeature): RegExp {
  // Rasa files are written for Python; a leading `(?i)` is the one inline flag commonly used.
  const insensitive = feature.pattern.startsWith('(?i)');
  const source = insensitive ? feature.pattern.slice(4) : feature.pattern;
  try {
    return new RegExp(source, insensitive ? 'giu' : 'gu');
  } catch (err) {
    throw new ParleyError(
      'DATA_INVALID',
      `regex feature \`${feature.name}\` has a pattern JavaScript cannot compile: ${feature.pattern}`,
      { cause: err },
    );
  }
}

const NO_SEQUENCES: readonly string[][] = [];

function compileLookup(index: number, tables: LookupTable[]): CompiledLookup {
  const byFirst = new Map<string, string[][]>();
  for (const table of tables) {
    for (const value of table.values) {
      const seq = tokenize(value).map((t) => t.norm);
      if (seq.length === 0) continue;
      const list = byFirst.get(seq[0]) ?? [];
      list.push(seq);
      byFirst.set(seq[0], list);
    }
  }
  return { index, byFirst };
}

function validateConfig(config: FeaturizerConfig): FeaturizerConfig {
  const problems: string[] = [];
  const int = (name: Exclude<keyof FeaturizerConfig, 'wordBigrams'>, min: number) => {
    const value = config[name];
    if (!Number.isInteger(value) || value < min)
      problems.push(`${name} must be an integer >= ${min}, got ${value}`);
  };
  int('hashBuckets', 1);
  int('ngramMin', 1);
  int('ngramMax', config.ngramMin);
  int('maxFeaturesPerToken', 4);
  int('minWordCount', 1);
  int('maxTokens', 1);
  if (typeof config.wordBigrams !== 'boolean') {
    problems.push(`wordBigrams must be true or false, got ${String(config.wordBigrams)}`);
  }
  if (!Number.isInteger(config.seed) || config.seed < 0 || config.seed > 0xffffffff) {
    problems.push(`seed must be a 32-bit unsigned integer, got ${config.seed}`);
  }
  if (problems.length > 0) {
    throw new ParleyError('CONFIG_INVALID', `featurizer config: ${problems.join('; ')}`);
  }
  return config;
}

function countMatches(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
