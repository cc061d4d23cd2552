import { createHash } from 'node:crypto';
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { EntityAnnotation, Example } from '../data/example.js';
import { guard, IDEMPOTENT } from './errors.js';
import {
  trainingExamples,
  type ExampleOrigin,
  type Split,
  type TrainingExampleRow,
} from './schema.js';
import type { Store } from './store.js';

/**
 * Training examples with a frozen split. The split of a text is decided the first time the text
 * is stored, from a hash of its normalised form, and stored with the row; later inserts of the
 * same text (in any origin) reuse the stored split. A text in the test split therefore stays
 * there however the data grows, and a correction of a test text cannot leak into training.
 */

/** Share of new texts assigned to the test split. */
export const DEFAULT_TEST_FRACTION = 0.2;

/** NFKC, lower-case, whitespace runs collapsed to one space, trimmed. */
export function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** sha256 hex of the normalised text: the dedupe key within an origin. */
export function textHash(text: string): string {
  return createHash('sha256').update(normaliseText(text), 'utf8').digest('hex');
}

/** The split a hash maps to: its first 32 bits as a fraction of 2^32, below `testFraction`. */
export function splitForHash(hash: string, testFraction = DEFAULT_TEST_FRACTION): Split {
  const unit = Number.parseInt(hash.slice(0, 8), 16) / 2 ** 32;
  return unit < testFraction ? 'test' : 'train';
}

export function splitFor(text: string, testFraction = DEFAULT_TEST_FRACTION): Split {
  return splitForHash(textHash(text), testFraction);
}

export interface ExampleInput {
  text: string;
  intent: string;
  entities: EntityAnnotation[];
  /** A file and line, a feedback id, an import name. */
  source?: string;
}

export interface InsertExamplesOptions {
  origin: ExampleOrigin;
  /**
   * What to do when the origin already holds the same normalised text: `ignore` keeps the first
   * (base and imported data), `replace` takes the new intent and entities (a later correction).
   * The split never changes.
   */
  onConflict?: 'ignore' | 'replace';
  testFraction?: number;
}

export interface InsertExamplesResult {
  /** Rows inserted or replaced. */
  written: number;
  /** Inputs that matched a stored text and were left as they were, or repeated in the input. */
  skipped: number;
}

export interface ExampleFilter {
  split?: Split;
  origins?: ExampleOrigin[];
}

export interface TrainingExamplesRepo {
  insertMany(inputs: ExampleInput[], opts: InsertExamplesOptions): Promise<InsertExamplesResult>;
  list(filter?: ExampleFilter): Promise<TrainingExampleRow[]>;
  /** Counts per origin and split. */
  counts(): Promise<{ origin: ExampleOrigin; split: Split; n: number }[]>;
}

/** Converts a stored row back to the canonical example. */
export function toExample(row: TrainingExampleRow): Example {
  return { text: row.text, intent: row.intent, entities: row.entities };
}

/** Rows per INSERT: 7 parameters each, well under Postgres's 65535-parameter limit. */
const CHUNK = 1000;

export function createTrainingExamplesRepo(store: Store): TrainingExamplesRepo {
  const { db } = store;

  async function storedSplits(hashes: string[]): Promise<Map<string, Split>> {
    const rows = await db
      .selectDistinctOn([trainingExamples.textHash], {
        hash: trainingExamples.textHash,
        split: trainingExamples.split,
      })
      .from(trainingExamples)
      .where(inArray(trainingExamples.textHash, hashes))
      .orderBy(trainingExamples.textHash, asc(trainingExamples.id));
    return new Map(rows.map((row) => [row.hash, row.split]));
  }

  async function insertChunk(inputs: ExampleInput[], opts: InsertExamplesOptions) {
    // Within one statement a key may appear once (ON CONFLICT DO UPDATE refuses a second hit),
    // so repeats inside the input are dropped here, the first one kept.
    const byHash = new Map<string, ExampleInput>();
    for (const input of inputs) {
      const hash = textHash(input.text);
      if (!byHash.has(hash)) byHash.set(hash, input);
    }
    const hashes = [...byHash.keys()];

    // Two callers adding the same new text at once both compute the split from the hash, so
    // they agree without a transaction (unless they pass different test fractions).
    const known = await storedSplits(hashes);
    const values = hashes.map((hash) => {
      const input = byHash.get(hash)!;
      return {
        text: input.text,
        intent: input.intent,
        entities: input.entities,
        origin: opts.origin,
        split: known.get(hash) ?? splitForHash(hash, opts.testFraction),
        source: input.source ?? null,
        textHash: hash,
      };
    });
    const insert = db.insert(trainingExamples).values(values);
    const target = [trainingExamples.origin, trainingExamples.textHash];
    const query =
      opts.onConflict === 'replace'
        ? insert.onConflictDoUpdate({
            target,
            set: {
              text: sql`excluded.text`,
              intent: sql`excluded.intent`,
              entities: sql`excluded.entities`,
              source: sql`excluded.source`,
            },
          })
        : insert.onConflictDoNothing({ target });
    const rows = await query.returning({ id: trainingExamples.id });
    return rows.length;
  }

  async function insertMany(
    inputs: ExampleInput[],
    opts: InsertExamplesOptions,
  ): Promise<InsertExamplesResult> {
    let written = 0;
    for (let start = 0; start < inputs.length; start += CHUNK) {
      const chunk = inputs.slice(start, start + CHUNK);
      // Retrying a chunk is safe: conflicts make the second run a no-op or the same replacement.
      written += await guard(
        'trainingExamples.insertMany',
        () => insertChunk(chunk, opts),
        IDEMPOTENT,
      );
    }
    return { written, skipped: inputs.length - written };
  }

  async function list(filter: ExampleFilter = {}): Promise<TrainingExampleRow[]> {
    const conditions = [
      filter.split ? eq(trainingExamples.split, filter.split) : undefined,
      filter.origins ? inArray(trainingExamples.origin, filter.origins) : undefined,
    ];
    return guard(
      'trainingExamples.list',
      () =>
        db
          .select()
          .from(trainingExamples)
          .where(and(...conditions))
          .orderBy(asc(trainingExamples.id)),
      IDEMPOTENT,
    );
  }

  async function counts() {
    return guard(
      'trainingExamples.counts',
      () =>
        db
          .select({ origin: trainingExamples.origin, split: trainingExamples.split, n: count() })
          .from(trainingExamples)
          .groupBy(trainingExamples.origin, trainingExamples.split),
      IDEMPOTENT,
    );
  }

  return { insertMany, list, counts };
}
