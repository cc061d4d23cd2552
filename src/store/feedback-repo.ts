import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { ParleyError } from '../core/errors.js';
import { guard, IDEMPOTENT } from './errors.js';
import {
  feedback,
  messages,
  predictions,
  type FeedbackEntity,
  type FeedbackKindValue,
  type FeedbackRow,
  type FeedbackStatus,
} from './schema.js';
import type { Store } from './store.js';

export interface FeedbackUpsert {
  messageId: string;
  userId: string;
  kind: FeedbackKindValue;
  /** For corrections: the right intent and entities (offsets into the stored message text). */
  correctedIntent?: string | null;
  correctedEntities?: FeedbackEntity[] | null;
  /** Review state to record; `pending` unless the caller's policy decides at once. */
  status?: FeedbackStatus;
}

/** A feedback row with what it is about: the stored (redacted) text and the prediction. */
export interface FeedbackItem extends FeedbackRow {
  text: string;
  predictedIntent: string | null;
  predictedConfidence: number | null;
  modelVersion: string | null;
}

export interface FeedbackListFilter {
  statuses?: FeedbackStatus[];
  kinds?: FeedbackKindValue[];
  limit?: number;
}

export interface FeedbackRepo {
  /** One row per (message, user): a second call replaces kind, correction and status. */
  upsert(input: FeedbackUpsert): Promise<FeedbackRow>;
  get(id: string): Promise<FeedbackItem | undefined>;
  /** Feedback matching the filter, oldest change first. */
  list(filter?: FeedbackListFilter): Promise<FeedbackItem[]>;
  /** The review queue: pending items, oldest first. */
  listReviewQueue(limit?: number): Promise<FeedbackItem[]>;
  /** Sets the review state of the given rows; returns how many exist. */
  setStatus(ids: string[], status: FeedbackStatus, reviewedBy?: string): Promise<number>;
  /** An admin's correction of a queued item: it becomes an accepted correction. */
  applyCorrection(
    id: string,
    correction: { intent: string; entities: FeedbackEntity[]; reviewedBy: string },
  ): Promise<FeedbackRow>;
  /** Counts per kind and status, for the admin `stats` command. */
  counts(): Promise<{ kind: FeedbackKindValue; status: FeedbackStatus; n: number }[]>;
}

export function createFeedbackRepo(store: Store): FeedbackRepo {
  const { db } = store;

  async function upsert(input: FeedbackUpsert): Promise<FeedbackRow> {
    const values = {
      kind: input.kind,
      correctedIntent: input.correctedIntent ?? null,
      correctedEntities: input.correctedEntities ?? null,
      status: input.status ?? ('pending' as const),
    };
    // Setting values by key: running it twice leaves the same row, so it may be retried.
    const rows = await guard(
      'feedback.upsert',
      () =>
        db
          .insert(feedback)
          .values({ messageId: input.messageId, userId: input.userId, ...values })
          .onConflictDoUpdate({
            target: [feedback.messageId, feedback.userId],
            set: { ...values, reviewedBy: null, updatedAt: sql`now()` },
          })
          .returning(),
      IDEMPOTENT,
    );
    return rows[0];
  }

  function selectItems() {
    return db
      .select({
        row: feedback,
        text: messages.text,
        predictedIntent: predictions.intent,
        predictedConfidence: predictions.confidence,
        modelVersion: predictions.modelVersion,
      })
      .from(feedback)
      .innerJoin(messages, eq(messages.id, feedback.messageId))
      .leftJoin(predictions, eq(predictions.messageId, feedback.messageId))
      .$dynamic();
  }

  type ItemRow = Awaited<ReturnType<typeof selectItems>>[number];
  const toItem = ({ row, ...rest }: ItemRow): FeedbackItem => ({ ...row, ...rest });

  async function get(id: string): Promise<FeedbackItem | undefined> {
    const rows = await guard(
      'feedback.get',
      () => selectItems().where(eq(feedback.id, id)),
      IDEMPOTENT,
    );
    return rows[0] && toItem(rows[0]);
  }

  async function list(filter: FeedbackListFilter = {}): Promise<FeedbackItem[]> {
    const conditions = [
      filter.statuses ? inArray(feedback.status, filter.statuses) : undefined,
      filter.kinds ? inArray(feedback.kind, filter.kinds) : undefined,
    ];
    const rows = await guard(
      'feedback.list',
      () =>
        selectItems()
          .where(and(...conditions))
          .orderBy(asc(feedback.updatedAt), asc(feedback.id))
          .limit(filter.limit ?? 10_000),
      IDEMPOTENT,
    );
    return rows.map(toItem);
  }

  async function setStatus(
    ids: string[],
    status: FeedbackStatus,
    reviewedBy?: string,
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await guard(
      'feedback.setStatus',
      () =>
        db
          .update(feedback)
          .set({ status, reviewedBy: reviewedBy ?? null, updatedAt: sql`now()` })
          .where(inArray(feedback.id, ids))
          .returning({ id: feedback.id }),
      IDEMPOTENT,
    );
    return rows.length;
  }

  async function applyCorrection(
    id: string,
    correction: { intent: string; entities: FeedbackEntity[]; reviewedBy: string },
  ): Promise<FeedbackRow> {
    const rows = await guard(
      'feedback.applyCorrection',
      () =>
        db
          .update(feedback)
          .set({
            kind: 'correction',
            correctedIntent: correction.intent,
            correctedEntities: correction.entities,
            status: 'accepted',
            reviewedBy: correction.reviewedBy,
            updatedAt: sql`now()`,
          })
          .where(eq(feedback.id, id))
          .returning(),
      IDEMPOTENT,
    );
    if (!rows[0]) throw new ParleyError('NOT_FOUND', `feedback ${id} does not exist`);
    return rows[0];
  }

  async function counts() {
    return guard(
      'feedback.counts',
      () =>
        db
          .select({ kind: feedback.kind, status: feedback.status, n: count() })
          .from(feedback)
          .groupBy(feedback.kind, feedback.status),
      IDEMPOTENT,
    );
  }

  return {
    upsert,
    get,
    list,
    listReviewQueue: (limit = 50) => list({ statuses: ['pending'], limit }),
    setStatus,
    applyCorrection,
    counts,
  };
}
