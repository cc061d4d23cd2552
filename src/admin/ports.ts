import type { RetrainLauncher } from '../jobs/launcher.js';
import type { Logger } from '../core/log.js';
import type { ReportAttachment } from './types.js';

/**
 * What the admin commands need from the rest of Parley. Each is a narrow port so the commands can
 * be tested without a database, and so the CLI and every adapter share one implementation.
 */

export interface AuditEntry {
  platform: string;
  userId: string;
  /** The command word as typed (lower-cased), or `(empty)`. */
  command: string;
  args: string;
  allowed: boolean;
  /** One line: what came of it (`ok: ...`, `error: ...`, `refused`). */
  outcome: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

/** A model version as the admin commands show it. */
export interface ModelSummary {
  /** `v3`. */
  version: string;
  status: 'candidate' | 'active' | 'rejected' | 'retired';
  parentVersion: string | null;
  runId: string | null;
  createdAt: Date;
  promotedAt: Date | null;
  /** Accuracy on the frozen test split when it was evaluated, 0..1. */
  accuracy: number | null;
}

export type PromoteResult =
  | { kind: 'promoted'; from: string | null; to: string }
  | { kind: 'already-active'; version: string };

/** The model registry's admin surface. Unknown versions throw ParleyError NOT_FOUND. */
export interface ModelAdmin {
  list(): Promise<ModelSummary[]>;
  promote(version: string, by: string): Promise<PromoteResult>;
  /**
   * Back to `version`, which must have been active before (CONFLICT otherwise), or without one to
   * the version the active model was trained from (CONFLICT when it has none).
   */
  rollback(by: string, version?: string): Promise<PromoteResult>;
}

export interface RunSummary {
  runId: string;
  trigger: string;
  requestedBy: string | null;
  status: string;
  decision: string | null;
  reason: string | null;
  createdAt: Date;
  endedAt: Date | null;
  candidateVersion: string | null;
}

export interface RunReader {
  /** A run by full id or unique prefix (at least 4 hex digits); the latest finished when absent. */
  report(ref?: string): Promise<{ run: RunSummary; report: ReportAttachment | null } | undefined>;
  recent(limit: number): Promise<RunSummary[]>;
}

export interface ReviewItem {
  id: string;
  kind: 'up' | 'down' | 'correction';
  status: 'pending' | 'accepted' | 'rejected' | 'used';
  /** The stored (redacted) message text. */
  text: string;
  predictedIntent: string | null;
  correctedIntent: string | null;
  /** Why it is queued, when a run sent it back ("held by run #3f2a9c1b"). */
  note: string | null;
  createdAt: Date;
}

/** The feedback review queue. Unknown ids throw ParleyError NOT_FOUND. */
export interface FeedbackReview {
  queue(limit: number): Promise<ReviewItem[]>;
  /** Resolves a full id or a unique prefix (at least 6 hex digits) among stored feedback. */
  find(ref: string): Promise<ReviewItem>;
  setStatus(id: string, status: 'accepted' | 'rejected', by: string): Promise<void>;
  correct(id: string, intent: string, by: string): Promise<void>;
}

export interface AdminStats {
  /** Over the last `windowHours`. */
  windowHours: number;
  messagesIn: number;
  replies: number;
  fallbacks: number;
  handoffs: number;
  feedback: { kind: string; status: string; n: number }[];
  activeModel: { version: string; accuracy: number | null; macroF1: number | null } | null;
}

export interface AdminDeps {
  audit: AuditLog;
  launcher: RetrainLauncher;
  runs: RunReader;
  models: ModelAdmin;
  feedback: FeedbackReview;
  stats(): Promise<AdminStats>;
  /** Intents a correction may name: the active model's. */
  intents(): readonly string[];
  /** A command that takes longer than this answers "working on it" and follows up (ms, 1500). */
  ackMs?: number;
  logger?: Logger;
}
