/**
 * TEST DOUBLES for the conversation suites: a deterministic keyword NLU engine and an in-memory
 * ConversationStore. Neither is product code; the product takes the real NluEngine and the
 * Postgres store binding.
 */
import { ParleyError } from '../../src/core/errors.js';
import type { NluEngine, PredictedEntity, Prediction } from '../../src/nlu/types.js';
import type {
  ConversationScope,
  ConversationStore,
  FeedbackRecord,
  StoredConversation,
  StoredMessage,
  TurnRecord,
} from '../../src/conversation/store-port.js';
import type { IncomingMessage, MessageKey } from '../../src/conversation/types.js';
import { pino } from 'pino';

export const silentLogger = pino({ level: 'silent' });

const RULES: { pattern: RegExp; intent: string; confidence: number }[] = [
  { pattern: /\b(human|person|agent)\b/i, intent: 'human_handoff', confidence: 0.95 },
  { pattern: /\brefund\b/i, intent: 'refund_request', confidence: 0.9 },
  { pattern: /\bcancel\b/i, intent: 'cancel_order', confidence: 0.9 },
  { pattern: /\b(where|track)\b/i, intent: 'order_status', confidence: 0.9 },
  { pattern: /\b(hi|hello)\b/i, intent: 'greet', confidence: 0.9 },
  // Labelled in-domain but under the threshold: the pipeline must still treat it as a fallback.
  { pattern: /\bmaybe\b/i, intent: 'order_status', confidence: 0.3 },
];

const ENTITY_PATTERNS: { type: string; pattern: RegExp }[] = [
  { type: 'email', pattern: /[\w.+-]+@[\w-]+(\.[\w-]+)*\.[a-z]{2,}/gi },
  { type: 'order_id', pattern: /\b[A-Z]-?\d{4}\b/g },
];

export interface FakeNlu extends NluEngine {
  /** Every text the engine was asked about, in order. */
  calls: string[];
}

export function createFakeNlu(
  version = 'test-v1',
  entityTypes: readonly string[] = ['order_id', 'email'],
): FakeNlu {
  const calls: string[] = [];
  const intents = ['greet', 'order_status', 'refund_request', 'cancel_order', 'human_handoff'];

  async function predict(text: string): Promise<Prediction> {
    calls.push(text);
    const rule = RULES.find((candidate) => candidate.pattern.test(text));
    const intent = rule
      ? { name: rule.intent, confidence: rule.confidence }
      : { name: 'out_of_scope', confidence: 0.2 };
    const ranking = [
      intent,
      ...intents.filter((name) => name !== intent.name).map((name) => ({ name, confidence: 0.01 })),
    ];
    return {
      text,
      intent,
      ranking,
      entities: findEntities(text),
      modelVersion: version,
      truncated: false,
    };
  }

  return {
    version,
    intents,
    entityTypes,
    outOfScopeIntent: 'out_of_scope',
    threshold: 0.5,
    calls,
    predict,
    predictBatch: (texts) => Promise.all(texts.map(predict)),
  };
}

function findEntities(text: string): PredictedEntity[] {
  const found: PredictedEntity[] = [];
  for (const { type, pattern } of ENTITY_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (found.some((entity) => start < entity.end && entity.start < end)) continue;
      found.push({ type, value: match[0], start, end, confidence: 0.9 });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** In-memory store with the same idempotence rules as the Postgres binding. */
export interface MemoryStore extends ConversationStore {
  /** While true, every call fails as if the database were unreachable. */
  down: boolean;
  claims: Set<string>;
  conversations: Map<
    string,
    { scope: ConversationScope; id: string; state: StoredConversation['state'] }
  >;
  messages: Map<
    string,
    StoredMessage & { direction: 'in' | 'out'; key?: MessageKey; kind?: string; userId?: string }
  >;
  predictions: Map<string, NonNullable<TurnRecord['prediction']> & { messageId: string }>;
  feedback: Map<string, FeedbackRecord>;
}

export function createMemoryStore(): MemoryStore {
  const store: MemoryStore = {
    down: false,
    claims: new Set(),
    conversations: new Map(),
    messages: new Map(),
    predictions: new Map(),
    feedback: new Map(),

    async claim(key) {
      up();
      if (store.claims.has(key)) return false;
      store.claims.add(key);
      return true;
    },

    async loadConversation(scope) {
      up();
      const row = store.conversations.get(scopeId(scope));
      return row && { id: row.id, state: structuredClone(row.state) };
    },

    async saveTurn(turn) {
      up();
      const scopeKey = scopeId(turn.conversation);
      const existing = store.conversations.get(scopeKey);
      const id = existing?.id ?? turn.conversation.id;
      store.conversations.set(scopeKey, {
        scope: turn.conversation,
        id,
        state: structuredClone(turn.conversation.state),
      });

      const { incoming, prediction, outgoing } = turn;
      const key = { ...turn.conversation, platformMessageId: incoming.platformMessageId };
      if (!store.messages.has(incoming.id)) {
        store.messages.set(incoming.id, {
          id: incoming.id,
          conversationId: id,
          text: incoming.text,
          deleted: false,
          direction: 'in',
          key,
          userId: incoming.userId,
        });
      }
      if (prediction && !store.predictions.has(prediction.id)) {
        store.predictions.set(prediction.id, { ...prediction, messageId: incoming.id });
      }
      if (outgoing && !store.messages.has(outgoing.id)) {
        store.messages.set(outgoing.id, {
          id: outgoing.id,
          conversationId: id,
          text: outgoing.text,
          deleted: false,
          direction: 'out',
          kind: outgoing.kind,
        });
      }
      return { conversationId: id };
    },

    async findMessage(id) {
      up();
      const row = store.messages.get(id);
      if (!row || row.direction !== 'in') return undefined;
      return {
        id: row.id,
        conversationId: row.conversationId,
        text: row.text,
        deleted: row.deleted,
      };
    },

    async findMessageIdByKey(key) {
      up();
      return [...store.messages.values()].find((row) => row.key && sameKey(row.key, key))?.id;
    },

    async upsertFeedback(record) {
      up();
      if (!store.messages.has(record.messageId)) throw new Error('foreign key violation');
      store.feedback.set(`${record.messageId}/${record.userId}`, structuredClone(record));
    },

    async forgetMessage(key) {
      up();
      for (const row of store.messages.values()) {
        if (row.key && sameKey(row.key, key)) {
          row.text = '';
          row.deleted = true;
        }
      }
    },

    async ping() {
      up();
    },

    async counts() {
      up();
      const rows = [...store.messages.values()];
      return {
        conversations: store.conversations.size,
        messagesIn: rows.filter((row) => row.direction === 'in').length,
        messagesOut: rows.filter((row) => row.direction === 'out').length,
        predictions: store.predictions.size,
        feedback: store.feedback.size,
      };
    },
  };

  function up(): void {
    if (store.down) throw new ParleyError('STORE_UNAVAILABLE', 'memory store is down (test)');
  }
  return store;
}

function scopeId(scope: ConversationScope): string {
  return [scope.platform, scope.workspaceId, scope.channelId, scope.scopeKey].join('|');
}

function sameKey(a: MessageKey, b: MessageKey): boolean {
  return (
    a.platform === b.platform &&
    a.workspaceId === b.workspaceId &&
    a.channelId === b.channelId &&
    a.platformMessageId === b.platformMessageId
  );
}

let counter = 0;

/** A Slack-like channel message; override what the test is about. */
export function incoming(text: string, overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  counter += 1;
  return {
    platform: 'slack',
    workspaceId: 'T_TEST',
    channelId: 'C_SUPPORT',
    platformMessageId: `1700000000.${String(counter).padStart(6, '0')}`,
    userId: 'U_A',
    text,
    isDirect: false,
    mentionsBot: true,
    attachmentCount: 0,
    receivedAt: new Date('2024-01-01T00:00:00Z'),
    ...overrides,
  };
}
