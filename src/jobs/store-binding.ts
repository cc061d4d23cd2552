import { desc, isNotNull, sql } from 'drizzle-orm';
import type { AdminStats, ReviewItem, RunSummary } from '../admin/ports.js';
import type { ReportAttachment } from '../admin/types.js';
import { ParleyError } from '../core/errors.js';
import type { ModelRegistry } from '../registry/registry.js';
import { versionLabel } from '../registry/registry.js';
import { createAdminAuditRepo } from '../store/admin-audit-repo.js';
import { createFeedbackRepo, type FeedbackItem } from '../store/feedback-repo.js';
import { createMessagesRepo } from '../store/messages-repo.js';
import { createModelVersionsRepo } from '../store/model-versions-repo.js';
import { createPredictionsRepo } from '../store/predictions-repo.js';
import { feedback, trainingRuns, type TrainingRunRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import {
  createTrainingExamplesRepo,
  splitForHash,
  textHash,
} from '../store/training-examples-repo.js';
import { createTrainingRunsRepo } from '../store/training-runs-repo.js';
import type { LearningPorts } from './learning-loop.js';
import type { FeedbackExample } from './retrain-data.js';
import type { FeedbackSource } from './retrain.js';
import { shortRunId } from './types.js';

/**
 * The learning loop's ports on the Parley store.
 *
 * Feedback policy (written down in docs/architecture.md): a run trains on corrections, and on
 * thumbs-up when PARLEY_TRAIN_ON_THUMBS_UP is on, that are either accepted by an admin or still
 * pending and untouched; an admin vetoes an item by rejecting it before the run. A thumbs-down
 * without a correction is never trained on; it waits in the review queue. Feedback of a rejected
 * run, or that failed validation, goes back to the queue marked "held by run #x", and no later
 * run takes it until an admin accepts it; feedback a promoted model learned from becomes `used`.
 */

const HELD = 'held by run';

export function storeLearningPorts(store: Store, registry: () => ModelRegistry): LearningPorts {
  const feedbackRepo = createFeedbackRepo(store);
  const runs = createTrainingRunsRepo(store);
  const audit = createAdminAuditRepo(store);
  const messages = createMessagesRepo(store);

  return {
    models: createModelVersionsRepo(store),
    examples: createTrainingExamplesRepo(store),
    runs,
    feedback: feedbackSource(store),
    keys: { hash: textHash, splitOfHash: (hash) => splitForHash(hash) },
    lock: (key, fn) => store.tryWithLock(key, fn),
    listen: store,
    admin: {
      audit: {
        record: async (entry) => void (await audit.insert(entry)),
      },
      runs: {
        report: (ref) => findRun(store, ref),
        recent: async (limit) => (await runs.list(limit)).map(runSummary),
      },
      feedback: {
        queue: async (limit) => (await feedbackRepo.listReviewQueue(limit)).map(reviewItem),
        find: (ref) => findFeedback(store, ref),
        setStatus: async (id, status, by) => void (await feedbackRepo.setStatus([id], status, by)),
        correct: async (id, intent, by) =>
          void (await feedbackRepo.applyCorrection(id, { intent, entities: [], reviewedBy: by })),
      },
      stats: () => stats(messages, feedbackRepo, registry()),
    },
  };
}

export function feedbackSource(store: Store): FeedbackSource {
  const repo = createFeedbackRepo(store);
  const predictions = createPredictionsRepo(store);

  return {
    async accepted({ includeUps }) {
      const kinds = includeUps ? (['correction', 'up'] as const) : (['correction'] as const);
      const items = await repo.list({ statuses: ['accepted', 'pending'], kinds: [...kinds] });
      const usable = items.filter((i) => i.status === 'accepted' || i.reviewedBy === null);
      return Promise.all(usable.map((item) => toExample(item, predictions)));
    },
    async markUsed(ids, runId) {
      await repo.setStatus(ids, 'used', `run ${runId}`);
    },
    async returnToQueue(ids, runId) {
      await repo.setStatus(ids, 'pending', `${HELD} #${shortRunId(runId)}`);
    },
  };
}

async function toExample(
  item: FeedbackItem,
  predictions: ReturnType<typeof createPredictionsRepo>,
): Promise<FeedbackExample> {
  if (item.kind === 'correction') {
    return {
      feedbackId: item.id,
      kind: 'correction',
      text: item.text,
      intent: item.correctedIntent,
      entities: item.correctedEntities ?? [],
    };
  }
  // A thumbs-up confirms what the model said: its intent and its entities.
  const prediction = await predictions.getByMessage(item.messageId);
  return {
    feedbackId: item.id,
    kind: 'up',
    text: item.text,
    intent: prediction?.intent ?? null,
    entities: (prediction?.entities ?? []).map(({ type, start, end, value }) => ({
      type,
      start,
      end,
      value,
    })),
  };
}

// ---- admin reads ----

const HEX_PREFIX = /^[0-9a-f-]{4,36}$/i;

async function findRun(
  store: Store,
  ref?: string,
): Promise<{ run: RunSummary; report: ReportAttachment | null } | undefined> {
  const { db } = store;
  if (ref !== undefined && !HEX_PREFIX.test(ref)) return undefined;
  const where =
    ref === undefined
      ? isNotNull(trainingRuns.endedAt)
      : sql`${trainingRuns.id}::text like ${`${ref.toLowerCase()}%`}`;
  const rows = await db
    .select()
    .from(trainingRuns)
    .where(where)
    .orderBy(desc(trainingRuns.createdAt))
    .limit(2);
  if (rows.length === 0) return undefined;
  if (ref !== undefined && rows.length > 1) {
    throw new ParleyError(
      'BAD_REQUEST',
      `\`${ref}\` matches more than one run; give more of its id.`,
    );
  }
  const row = rows[0];
  return { run: runSummary(row), report: runReport(row) };
}

function runSummary(row: Omit<TrainingRunRow, 'chartPng'>): RunSummary {
  return {
    runId: row.id,
    trigger: row.trigger,
    requestedBy: row.requestedBy,
    status: row.status,
    decision: row.decision,
    reason: row.reason,
    createdAt: row.createdAt,
    endedAt: row.endedAt,
    candidateVersion: row.candidateVersion === null ? null : versionLabel(row.candidateVersion),
  };
}

/** The stored report as an attachment; the headline is the decision and its reason. */
export function runReport(row: TrainingRunRow): ReportAttachment | null {
  if (!row.reportMarkdown) return null;
  const verdicts = ['promoted', 'rejected', 'skipped', 'failed'] as const;
  const verdict = verdicts.find((v) => v === row.decision) ?? 'failed';
  return {
    runId: row.id,
    markdown: row.reportMarkdown,
    ...(row.chartPng ? { chartPng: row.chartPng } : {}),
    headline: { verdict, summary: row.reason ?? verdict },
  };
}

async function findFeedback(store: Store, ref: string): Promise<ReviewItem> {
  const repo = createFeedbackRepo(store);
  const full = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  let id: string | undefined = full ? ref : undefined;
  if (!full && HEX_PREFIX.test(ref) && ref.length >= 6) {
    const rows = await store.db
      .select({ id: feedback.id })
      .from(feedback)
      .where(sql`${feedback.id}::text like ${`${ref.toLowerCase()}%`}`)
      .limit(2);
    if (rows.length > 1) {
      throw new ParleyError(
        'BAD_REQUEST',
        `\`${ref}\` matches more than one feedback item; give more of its id.`,
      );
    }
    id = rows[0]?.id;
  }
  const item = id === undefined ? undefined : await repo.get(id);
  if (!item) {
    throw new ParleyError(
      'NOT_FOUND',
      `No feedback matches \`${ref}\`; \`feedback list\` shows the queue with ids (at least 6 characters).`,
    );
  }
  return reviewItem(item);
}

function reviewItem(item: FeedbackItem): ReviewItem {
  return {
    id: item.id,
    kind: item.kind,
    status: item.status,
    text: item.text,
    predictedIntent: item.predictedIntent,
    correctedIntent: item.correctedIntent,
    note: item.reviewedBy?.startsWith(HELD) ? item.reviewedBy : null,
    createdAt: item.createdAt,
  };
}

const STATS_WINDOW_HOURS = 24;

async function stats(
  messages: ReturnType<typeof createMessagesRepo>,
  feedbackRepo: ReturnType<typeof createFeedbackRepo>,
  registry: ModelRegistry,
): Promise<AdminStats> {
  const since = new Date(Date.now() - STATS_WINDOW_HOURS * 3600 * 1000);
  const [traffic, counts, active] = await Promise.all([
    messages.stats(since),
    feedbackRepo.counts(),
    activeInfo(registry),
  ]);
  return {
    windowHours: STATS_WINDOW_HOURS,
    messagesIn: traffic.incoming,
    replies: traffic.outgoing,
    fallbacks: traffic.byReplyKind.fallback ?? 0,
    handoffs: traffic.byReplyKind.handoff ?? 0,
    feedback: counts,
    activeModel: active,
  };
}

async function activeInfo(registry: ModelRegistry) {
  const version = await registry.activeVersion();
  if (version === undefined) return null;
  const info = await registry.get(version);
  const metric = (key: string) =>
    typeof info?.metrics?.[key] === 'number' ? (info.metrics[key] as number) : null;
  return {
    version: versionLabel(version),
    accuracy: metric('intentAccuracy'),
    macroF1: metric('intentMacroF1'),
  };
}
