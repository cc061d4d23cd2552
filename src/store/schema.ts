import { sql, type SQL } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import type { EntityAnnotation } from '../data/example.js';
import type { IntentScore, PredictedEntity } from '../nlu/types.js';

/**
 * Parley's tables. Every status-like column is `text` with a CHECK constraint rather than a
 * Postgres enum, so a later migration can add a value inside a transaction on every server
 * version (ALTER TYPE ... ADD VALUE cannot be used in the transaction that adds it).
 * Timestamps are `timestamptz`; ids the product passes around are uuid strings.
 */

/**
 * `bytea` as a plain Uint8Array on both drivers: postgres.js returns a Buffer, PGlite a
 * Uint8Array; the Buffer is re-viewed (no copy) so callers and tests see one type.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** `column IN ('a', 'b')` for a CHECK constraint; the values are our own constants. */
function oneOf(column: AnyPgColumn, values: readonly string[]): SQL {
  const list = values.map((value) => `'${value}'`).join(', ');
  return sql`${column} in (${sql.raw(list)})`;
}

export const PLATFORMS = ['local', 'slack', 'discord'] as const;
export const DIRECTIONS = ['in', 'out'] as const;
export const REPLY_KINDS = ['answer', 'ask', 'fallback', 'handoff', 'prompt'] as const;
export const FEEDBACK_KINDS = ['up', 'down', 'correction'] as const;
export const FEEDBACK_STATUSES = ['pending', 'accepted', 'rejected', 'used'] as const;
export const EXAMPLE_ORIGINS = ['base', 'feedback', 'import'] as const;
export const SPLITS = ['train', 'test'] as const;
export const MODEL_STATUSES = ['candidate', 'active', 'rejected', 'retired'] as const;
export const RUN_TRIGGERS = ['schedule', 'command', 'cli'] as const;
export const RUN_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'rejected',
  'skipped',
  'failed',
] as const;

/** One conversation: a Slack/Discord thread, a direct-message scope, or a local chat session. */
export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    /** Thread parent id, or the DM scope; the conversation service decides what it holds. */
    scopeKey: text('scope_key').notNull(),
    /** Filled slots: entity type to value, remembered within the conversation. */
    slots: jsonb('slots').$type<Record<string, string>>().notNull().default({}),
    /** Fallbacks in a row; reset by any confident answer. */
    fallbackCount: integer('fallback_count').notNull().default(0),
    handedOff: boolean('handed_off').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('conversations_scope_uq').on(t.platform, t.workspaceId, t.channelId, t.scopeKey),
    check('conversations_platform_ck', oneOf(t.platform, PLATFORMS)),
  ],
);

/** Every turn, in and out. `text` is stored with personal data already redacted. */
export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    direction: text('direction', { enum: DIRECTIONS }).notNull(),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    /** The platform's id for the message (Slack ts, Discord snowflake); null until posted. */
    platformMessageId: text('platform_message_id'),
    /** Sender for incoming messages; null for Parley's own replies. */
    userId: text('user_id'),
    text: text('text').notNull(),
    /** Set when the platform deleted the message; `text` is then emptied. */
    deleted: boolean('deleted').notNull().default(false),
    /** For outgoing messages: which kind of reply it was (stats count fallbacks from this). */
    replyKind: text('reply_kind', { enum: REPLY_KINDS }),
    /** For outgoing messages: the incoming message answered. */
    inReplyTo: uuid('in_reply_to').references((): AnyPgColumn => messages.id, {
      onDelete: 'set null',
    }),
    createdAt: createdAt(),
  },
  (t) => [
    index('messages_conversation_ix').on(t.conversationId, t.createdAt),
    index('messages_platform_key_ix').on(
      t.platform,
      t.workspaceId,
      t.channelId,
      t.platformMessageId,
    ),
    index('messages_created_ix').on(t.createdAt),
    check('messages_direction_ck', oneOf(t.direction, DIRECTIONS)),
    check('messages_platform_ck', oneOf(t.platform, PLATFORMS)),
    check(
      'messages_reply_kind_ck',
      sql`${t.replyKind} is null or ${oneOf(t.replyKind, REPLY_KINDS)}`,
    ),
  ],
);

/** What the model said about one incoming message, and which model version said it. */
export const predictions = pgTable(
  'predictions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    intent: text('intent').notNull(),
    /** 0..1 */
    confidence: doublePrecision('confidence').notNull(),
    entities: jsonb('entities').$type<PredictedEntity[]>().notNull().default([]),
    ranking: jsonb('ranking').$type<IntentScore[]>().notNull().default([]),
    modelVersion: text('model_version').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('predictions_message_uq').on(t.messageId),
    index('predictions_model_version_ix').on(t.modelVersion),
  ],
);

/** A correction's entities: offsets into the stored message text. */
export type FeedbackEntity = { type: string; start: number; end: number; value?: string };

/** Thumbs and corrections, one row per (message, user); a second click replaces the first. */
export const feedback = pgTable(
  'feedback',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    kind: text('kind', { enum: FEEDBACK_KINDS }).notNull(),
    correctedIntent: text('corrected_intent'),
    correctedEntities: jsonb('corrected_entities').$type<FeedbackEntity[]>(),
    /** Review queue state: pending until an admin (or a policy) accepts or rejects it. */
    status: text('status', { enum: FEEDBACK_STATUSES }).notNull().default('pending'),
    reviewedBy: text('reviewed_by'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('feedback_message_user_uq').on(t.messageId, t.userId),
    index('feedback_status_ix').on(t.status, t.updatedAt),
    check('feedback_kind_ck', oneOf(t.kind, FEEDBACK_KINDS)),
    check('feedback_status_ck', oneOf(t.status, FEEDBACK_STATUSES)),
  ],
);

/**
 * Labelled examples for training and evaluation. `split` is decided once at insert from a hash of
 * the normalised text and never recomputed, so the held-out set cannot drift between runs.
 */
export const trainingExamples = pgTable(
  'training_examples',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    text: text('text').notNull(),
    intent: text('intent').notNull(),
    entities: jsonb('entities').$type<EntityAnnotation[]>().notNull().default([]),
    origin: text('origin', { enum: EXAMPLE_ORIGINS }).notNull(),
    split: text('split', { enum: SPLITS }).notNull(),
    /** Where it came from: a file and line, a feedback id, an import name. */
    source: text('source'),
    /** sha256 hex of the normalised text (see training-examples-repo.ts). */
    textHash: text('text_hash').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('training_examples_origin_hash_uq').on(t.origin, t.textHash),
    index('training_examples_split_ix').on(t.split, t.origin),
    check('training_examples_origin_ck', oneOf(t.origin, EXAMPLE_ORIGINS)),
    check('training_examples_split_ck', oneOf(t.split, SPLITS)),
  ],
);

/** The model registry. At most one row is `active` (a partial unique index enforces it). */
export const modelVersions = pgTable(
  'model_versions',
  {
    version: integer('version').primaryKey().generatedAlwaysAsIdentity(),
    status: text('status', { enum: MODEL_STATUSES }).notNull(),
    /** The packed model artifact (ONNX graph plus manifest), as served. */
    artifact: bytea('artifact').notNull(),
    /** sha256 hex of `artifact`. */
    sha256: text('sha256').notNull(),
    manifest: jsonb('manifest').$type<Record<string, unknown>>().notNull(),
    metrics: jsonb('metrics').$type<Record<string, unknown>>(),
    parentVersion: integer('parent_version').references((): AnyPgColumn => modelVersions.version),
    runId: uuid('run_id').references((): AnyPgColumn => trainingRuns.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    promotedAt: timestamp('promoted_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('model_versions_one_active_uq')
      .on(t.status)
      .where(sql`status = 'active'`),
    check('model_versions_status_ck', oneOf(t.status, MODEL_STATUSES)),
  ],
);

/** One line of a run's log. `at` is an ISO timestamp. */
export type RunLogLine = { at: string; level: 'info' | 'warn' | 'error'; msg: string };

/** Retraining runs: who asked, what happened, the decision and its report. */
export const trainingRuns = pgTable(
  'training_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trigger: text('trigger', { enum: RUN_TRIGGERS }).notNull(),
    requestedBy: text('requested_by'),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('queued'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    log: jsonb('log').$type<RunLogLine[]>().notNull().default([]),
    /** The gate's verdict in a word (promoted, rejected, skipped, failed); `reason` says why. */
    decision: text('decision'),
    reason: text('reason'),
    reportMarkdown: text('report_markdown'),
    chartPng: bytea('chart_png'),
    metrics: jsonb('metrics').$type<Record<string, unknown>>(),
    candidateVersion: integer('candidate_version').references(
      (): AnyPgColumn => modelVersions.version,
    ),
    /** For scheduled runs: the schedule slot (e.g. its ISO fire time); one run per slot. */
    slotKey: text('slot_key'),
  },
  (t) => [
    unique('training_runs_slot_uq').on(t.slotKey),
    index('training_runs_status_ix').on(t.status),
    index('training_runs_created_ix').on(t.createdAt),
    check('training_runs_trigger_ck', oneOf(t.trigger, RUN_TRIGGERS)),
    check('training_runs_status_ck', oneOf(t.status, RUN_STATUSES)),
  ],
);

/**
 * Platform messages already taken by some instance: the dedupe key of case C13. Keyed on the
 * message itself (workspace, channel, message id), never on the delivery's event id.
 */
export const processedMessages = pgTable(
  'processed_messages',
  {
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    platformMessageId: text('platform_message_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({
      name: 'processed_messages_pk',
      columns: [t.platform, t.workspaceId, t.channelId, t.platformMessageId],
    }),
    index('processed_messages_created_ix').on(t.createdAt),
  ],
);

/** Every admin command, allowed or refused, with what came of it. */
export const adminAudit = pgTable(
  'admin_audit',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    platform: text('platform').notNull(),
    userId: text('user_id').notNull(),
    command: text('command').notNull(),
    args: text('args').notNull().default(''),
    allowed: boolean('allowed').notNull(),
    outcome: text('outcome'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('admin_audit_at_ix').on(t.at)],
);

export type Conversation = typeof conversations.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;
export type PredictionRow = typeof predictions.$inferSelect;
export type FeedbackRow = typeof feedback.$inferSelect;
export type TrainingExampleRow = typeof trainingExamples.$inferSelect;
export type ModelVersionRow = typeof modelVersions.$inferSelect;
export type TrainingRunRow = typeof trainingRuns.$inferSelect;
export type AdminAuditRow = typeof adminAudit.$inferSelect;
export type FeedbackKindValue = (typeof FEEDBACK_KINDS)[number];
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];
export type ExampleOrigin = (typeof EXAMPLE_ORIGINS)[number];
export type Split = (typeof SPLITS)[number];
export type ModelStatus = (typeof MODEL_STATUSES)[number];
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
export type RunStatus = (typeof RUN_STATUSES)[number];
