import type { IntentScore, PredictedEntity } from '../nlu/types.js';
import type { DialogueState } from './policy.js';
import type { FeedbackKind, MessageKey, Platform, ReplyKind } from './types.js';

/**
 * The narrow slice of the store that the conversation and feedback services use. The binding to
 * Parley's Postgres store is in store-binding.ts; keeping the port this small is what lets the
 * services run while the database is away (see write-queue.ts).
 *
 * Every write here is idempotent (ids are chosen by the caller, inserts ignore a row that is
 * already there), so the write queue can retry a write whose outcome it never learned.
 */

export interface ConversationScope {
  platform: Platform;
  workspaceId: string;
  channelId: string;
  /** Thread parent id, or the direct-message scope. */
  scopeKey: string;
}

export interface StoredConversation {
  id: string;
  state: DialogueState;
}

/** One turn: the incoming message, what the model said, and what Parley replied. */
export interface TurnRecord {
  conversation: ConversationScope & { id: string; state: DialogueState };
  incoming: {
    id: string;
    platformMessageId: string;
    userId: string;
    /** Redacted. */
    text: string;
    receivedAt: Date;
  };
  prediction?: {
    id: string;
    intent: string;
    confidence: number;
    /** Values taken from the redacted text (offsets are unchanged by redaction). */
    entities: PredictedEntity[];
    ranking: IntentScore[];
    modelVersion: string;
  };
  outgoing?: {
    id: string;
    /** Redacted. */
    text: string;
    kind: ReplyKind;
    /** When the reply was decided (the row may be written later, after an outage). */
    at: Date;
  };
}

/** A stored incoming message, as feedback validation needs it. */
export interface StoredMessage {
  id: string;
  conversationId: string;
  /** Redacted; same length as the text the model saw. */
  text: string;
  deleted: boolean;
}

export interface FeedbackRecord {
  id: string;
  messageId: string;
  userId: string;
  kind: FeedbackKind;
  intent?: string;
  entities?: { type: string; start: number; end: number; value: string }[];
}

export interface ConversationStore {
  /** Claims a platform message key; false when it was claimed before (a duplicate delivery). */
  claim(key: string): Promise<boolean>;
  loadConversation(scope: ConversationScope): Promise<StoredConversation | undefined>;
  /**
   * Writes one turn in one transaction. The conversation is matched on its scope, so a turn
   * written with a new id for a conversation that exists is attached to the existing row; the
   * id actually used is returned.
   */
  saveTurn(turn: TurnRecord): Promise<{ conversationId: string }>;
  findMessage(id: string): Promise<StoredMessage | undefined>;
  /** Id of the stored incoming message with this platform key, if any. */
  findMessageIdByKey(key: MessageKey): Promise<string | undefined>;
  /** One row per (message, user): a second call replaces the first. */
  upsertFeedback(record: FeedbackRecord): Promise<void>;
  /** A platform deletion: blanks the message's stored text and its prediction's entity values. */
  forgetMessage(key: MessageKey): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Row counts, for `GET /api/stats` and the replay script. */
  counts(): Promise<StoreCounts>;
}

export interface StoreCounts {
  conversations: number;
  messagesIn: number;
  messagesOut: number;
  predictions: number;
  feedback: number;
}
