import type {
  AdminContext,
  AdminHandler,
  AdminReply,
  ReportAttachment,
} from '../../../src/admin/types.js';
import type {
  ConversationHandler,
  FeedbackHandler,
  FeedbackInput,
  HandleResult,
  IncomingMessage,
  MessageKey,
  Reply,
} from '../../../src/conversation/types.js';
import { ParleyError } from '../../../src/core/errors.js';
import type { PredictedEntity, Prediction } from '../../../src/nlu/types.js';

/**
 * In-memory stand-ins for the ports the Slack adapter is given, keeping their contracts: one
 * stored message per key (platform, workspace, channel, message id) claimed before any slow
 * work, so a redelivery that arrives while the first is still being handled is a duplicate;
 * conversations scoped to the thread (or the DM); one feedback per user per message; admin
 * commands audited and refused to non-admins. The tiny shop "NLU" only tells the tests' phrases
 * apart; it is not what Parley's model does.
 */

export interface StoredMessage {
  id: string;
  key: string;
  conversationId: string;
  text: string;
  redacted: boolean;
  message: IncomingMessage;
}

interface ConversationState {
  intent?: string;
  slots: Record<string, string>;
}

export class MemoryConversation implements ConversationHandler {
  readonly stored: StoredMessage[] = [];
  readonly handled: IncomingMessage[] = [];
  readonly forgotten: MessageKey[] = [];
  /** Runs between claiming the key and answering: a slow NLU in the tests. */
  beforeAnswer: (message: IncomingMessage) => Promise<void> = async () => undefined;
  private readonly conversations = new Map<string, ConversationState>();
  private readonly byKey = new Map<string, StoredMessage>();

  async handle(message: IncomingMessage): Promise<HandleResult> {
    this.handled.push(message);
    const key = keyOf(message);
    const seen = this.byKey.get(key);
    if (seen) return { status: 'duplicate', messageId: seen.id };

    const conversationId = conversationOf(message);
    const stored: StoredMessage = {
      id: `msg-${this.stored.length + 1}`,
      key,
      conversationId,
      text: message.text,
      redacted: false,
      message,
    };
    this.byKey.set(key, stored);
    this.stored.push(stored);
    await this.beforeAnswer(message);

    if (message.text.replace(/[\s\u200b]/g, '').length === 0) {
      if (!message.mentionsBot) return { status: 'ignored', reason: 'empty message' };
      return replied(stored, {
        kind: 'prompt',
        text: 'How can I help?',
        threadId: message.threadId,
      });
    }

    const state = this.conversations.get(conversationId) ?? { slots: {} };
    this.conversations.set(conversationId, state);
    const prediction = shopNlu(message.text, state);
    return replied(stored, answer(prediction, state, message.threadId), prediction);
  }

  async forget(key: MessageKey): Promise<void> {
    this.forgotten.push(key);
    const stored = this.byKey.get(keyOf(key));
    if (stored) Object.assign(stored, { text: '', redacted: true });
  }

  /** The conversation state a test can look at: intent and filled slots. */
  state(conversationId: string): ConversationState | undefined {
    return this.conversations.get(conversationId);
  }

  find(messageId: string): StoredMessage | undefined {
    return this.stored.find((stored) => stored.id === messageId);
  }
}

function keyOf(key: MessageKey): string {
  return [key.platform, key.workspaceId, key.channelId, key.platformMessageId].join('|');
}

function conversationOf(message: IncomingMessage): string {
  const scope = message.threadId ?? `user:${message.userId}`;
  return [message.platform, message.workspaceId, message.channelId, scope].join('|');
}

function replied(stored: StoredMessage, reply: Reply, prediction?: Prediction): HandleResult {
  return {
    status: 'replied',
    messageId: stored.id,
    conversationId: stored.conversationId,
    reply,
    prediction,
  };
}

const ORDER_ID = /\b[A-Z]\d{4}\b/g;

function shopNlu(text: string, state: ConversationState): Prediction {
  const entities: PredictedEntity[] = [...text.matchAll(ORDER_ID)].map((match) => ({
    type: 'order_id',
    value: match[0],
    start: match.index,
    end: match.index + match[0].length,
    confidence: 0.97,
  }));

  let intent = 'out_of_scope';
  if (/\brefund\b/i.test(text)) intent = 'refund';
  else if (/\border\b/i.test(text)) intent = 'order_status';
  else if (/^(hi|hello)\b/i.test(text)) intent = 'greet';
  else if (/^and\b/i.test(text) && entities.length > 0 && state.intent) intent = state.intent;

  return {
    text,
    intent: { name: intent, confidence: intent === 'out_of_scope' ? 0.3 : 0.93 },
    ranking: [{ name: intent, confidence: 0.93 }],
    entities,
    modelVersion: 'memory-1',
    truncated: false,
  };
}

function answer(prediction: Prediction, state: ConversationState, threadId?: string): Reply {
  const intent = prediction.intent.name;
  const orderId = prediction.entities.find((e) => e.type === 'order_id')?.value;
  if (intent !== 'out_of_scope') state.intent = intent;
  if (orderId) state.slots.order_id = orderId;

  const id = state.slots.order_id;
  switch (intent) {
    case 'greet':
      return { kind: 'answer', text: 'Hi! How can I help with your order?', threadId };
    case 'order_status':
      return id
        ? { kind: 'answer', text: `Order ${id} is on its way.`, threadId }
        : { kind: 'ask', text: 'Which order number?', threadId };
    case 'refund':
      return {
        kind: 'answer',
        text: `Refunds for order ${id ?? '(unknown)'}: see https://help.example.test/refunds`,
        threadId,
      };
    default:
      return { kind: 'fallback', text: "Sorry, I didn't get that.", threadId };
  }
}

export class MemoryFeedback implements FeedbackHandler {
  readonly records = new Map<string, FeedbackInput>();
  readonly calls: FeedbackInput[] = [];

  constructor(
    private readonly conversation: MemoryConversation,
    private readonly intentNames: readonly string[] = [
      'greet',
      'order_status',
      'refund',
      'out_of_scope',
    ],
    private readonly types: readonly string[] = ['order_id', 'email'],
  ) {}

  async record(input: FeedbackInput): Promise<{ feedbackId: string }> {
    this.calls.push(input);
    const stored = this.conversation.find(input.messageId);
    if (!stored || stored.redacted) {
      throw new ParleyError('NOT_FOUND', `message ${input.messageId} is not stored`);
    }
    if (input.kind === 'correction' && !this.intentNames.includes(input.intent ?? '')) {
      throw new ParleyError('BAD_REQUEST', `unknown intent ${input.intent}`);
    }
    const id = `${input.messageId}:${input.userId}`;
    this.records.set(id, input);
    return { feedbackId: id };
  }

  intents(): readonly string[] {
    return this.intentNames;
  }

  entityTypes(): readonly string[] {
    return this.types;
  }
}

export interface AuditEntry {
  userId: string;
  isAdmin: boolean;
  commandLine: string;
  allowed: boolean;
}

/** Admin commands with the slow parts as gates a test opens. */
export class MemoryAdmin implements AdminHandler {
  readonly audit: AuditEntry[] = [];
  readonly contexts: AdminContext[] = [];
  readonly versions = new Set(['v1', 'v2']);
  activeVersion = 'v2';
  retrainRuns = 0;
  /** Before `retrain` answers at all (the advisory-lock query). */
  lock: () => Promise<void> = async () => undefined;
  /** Training itself, after the run has started. */
  training: () => Promise<void> = async () => undefined;
  /** Building a report. */
  building: () => Promise<void> = async () => undefined;
  report: ReportAttachment = {
    runId: '7',
    markdown: '# Run 7\n\nintent accuracy 0.91 -> 0.94\n',
    chartPng: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
    headline: {
      verdict: 'promoted',
      summary: 'intent accuracy 0.91 -> 0.94, entity F1 0.88 -> 0.90',
    },
  };

  async execute(ctx: AdminContext, commandLine: string): Promise<AdminReply> {
    this.contexts.push(ctx);
    const [verb = 'help', ...rest] = commandLine.split(/\s+/).filter(Boolean);
    this.audit.push({
      userId: ctx.userId,
      isAdmin: ctx.isAdmin,
      commandLine,
      allowed: ctx.isAdmin,
    });
    if (!ctx.isAdmin)
      return { ok: false, text: `Only Parley admins can run "${verb}". This was logged.` };

    switch (verb) {
      case 'retrain':
        return this.retrain();
      case 'rollback':
        return this.rollback(rest[0]);
      case 'report':
        return {
          ok: true,
          text: 'Building the report...',
          later: this.building().then(() => ({
            text: 'Report for run 7 is ready.',
            report: this.report,
          })),
        };
      default:
        return { ok: true, text: 'Commands: retrain, rollback <version>, report' };
    }
  }

  private async retrain(): Promise<AdminReply> {
    await this.lock();
    const run = ++this.retrainRuns;
    return {
      ok: true,
      text: `Retrain run #${run} started.`,
      later: this.training().then(() => ({ text: `Retrain run #${run} finished: promoted.` })),
    };
  }

  private async rollback(version: string | undefined): Promise<AdminReply> {
    if (!version || !this.versions.has(version)) {
      return { ok: false, text: `Unknown model version ${version ?? '(none)'}; nothing changed.` };
    }
    this.activeVersion = version;
    return { ok: true, text: `Rolled back to ${version}.` };
  }
}

/** A promise and the function that settles it: a slow step a test finishes when it wants. */
export function gate(): { wait: () => Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open: () => open() };
}
