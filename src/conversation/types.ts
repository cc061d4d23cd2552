import type { Prediction } from '../nlu/types.js';

/**
 * The platform-neutral message that every adapter produces. After `toIncomingMessage()` nothing
 * in Parley knows which platform a message came from, except through these fields.
 */
export type Platform = 'local' | 'slack' | 'discord';

export interface IncomingMessage {
  platform: Platform;
  /** Slack team id, Discord guild id (or "dm"), "local" for the local adapter. */
  workspaceId: string;
  channelId: string;
  /** The platform's own id for this message (Slack ts, Discord snowflake). Dedupe key part. */
  platformMessageId: string;
  /** Thread the message belongs to (Slack thread_ts of the parent, Discord thread channel). */
  threadId?: string;
  userId: string;
  userName?: string;
  /** Text with the bot mention already removed by the adapter. */
  text: string;
  isDirect: boolean;
  mentionsBot: boolean;
  /** Number of attachments (images, files) that came with the message. */
  attachmentCount: number;
  receivedAt: Date;
}

export type ReplyKind =
  | 'answer' // a template for the predicted intent
  | 'ask' // a required entity is missing: the question to ask
  | 'fallback' // below the confidence threshold
  | 'handoff' // handed to a person
  | 'prompt'; // a short "How can I help?" for a mention with no text

export interface Reply {
  text: string;
  kind: ReplyKind;
  /** Where to answer: the thread of the incoming message, where the platform has threads. */
  threadId?: string;
}

/** What the conversation service answers for one incoming message. */
export type HandleResult =
  | {
      status: 'replied';
      /** Id of the stored incoming message; feedback refers to it. */
      messageId: string;
      conversationId: string;
      reply: Reply;
      prediction?: Prediction;
    }
  | { status: 'duplicate'; messageId: string }
  | { status: 'ignored'; reason: string };

export type FeedbackKind = 'up' | 'down' | 'correction';

export interface FeedbackInput {
  messageId: string;
  userId: string;
  kind: FeedbackKind;
  /** For corrections: the right intent and entities (offsets into the message text). */
  intent?: string;
  entities?: { type: string; start: number; end: number }[];
}

/** Identifies one platform message for dedupe and deletion: workspace + channel + message id. */
export interface MessageKey {
  platform: Platform;
  workspaceId: string;
  channelId: string;
  platformMessageId: string;
}

/**
 * The ports an adapter is given. Adapters call these and never reach into the store or the NLU
 * themselves.
 */
export interface ConversationHandler {
  handle(message: IncomingMessage): Promise<HandleResult>;
  /** A platform deletion: the stored text of that message is redacted; nothing is replied. */
  forget(key: MessageKey): Promise<void>;
}

export interface FeedbackHandler {
  /**
   * One feedback per user per message; a second call from the same user replaces the first.
   * `saved` is false when the database is away and the feedback is queued: it is stored when
   * the database returns (tell the user it is not saved yet).
   */
  record(input: FeedbackInput): Promise<{ feedbackId: string; saved: boolean }>;
  /** The intents a correction may name (the active model's). */
  intents(): readonly string[];
  entityTypes(): readonly string[];
}

/** A hand-off to a person, as sent to the escalation target. Ids only: no customer text. */
export interface EscalationNotice {
  reason: 'request' | 'fallbacks';
  /** PARLEY_ESCALATION_TARGET (`platform:channel`), when configured. */
  target?: string;
  platform: Platform;
  workspaceId: string;
  channelId: string;
  threadId?: string;
  userId: string;
  conversationId: string;
  messageId: string;
}

/** Delivers hand-off notices; an adapter that can post to the escalation target provides one. */
export interface EscalationNotifier {
  notify(notice: EscalationNotice): Promise<void>;
}
