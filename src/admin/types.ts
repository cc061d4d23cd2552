import type { Platform } from '../conversation/types.js';

/** Who is asking for an admin command, and from where; the adapter fills this in. */
export interface AdminContext {
  platform: Platform | 'cli';
  userId: string;
  /** Decided by the adapter from its configured admin users or roles. */
  isAdmin: boolean;
  channelId?: string;
}

/**
 * The answer to an admin command. `text` is what the adapter shows at once (within Slack's and
 * Discord's 3 seconds); `later`, when present, settles with a follow-up message for slow work.
 */
export interface AdminReply {
  ok: boolean;
  text: string;
  later?: Promise<{ text: string; report?: ReportAttachment }>;
}

export interface ReportAttachment {
  runId: string;
  markdown: string;
  /** PNG chart bytes. */
  chartPng?: Uint8Array;
  headline: { verdict: 'promoted' | 'rejected' | 'skipped' | 'failed'; summary: string };
}

export interface AdminHandler {
  /** Runs `commandLine` ("retrain", "promote 3", ...) for `ctx`; refuses non-admins politely. */
  execute(ctx: AdminContext, commandLine: string): Promise<AdminReply>;
}

/** Where retraining reports go: each adapter with an admin channel provides one. */
export interface ReportSink {
  readonly name: string;
  postReport(report: ReportAttachment): Promise<void>;
}
