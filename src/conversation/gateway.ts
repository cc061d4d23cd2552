import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/log.js';
import { Lru } from './lru.js';
import type { DialogueState } from './policy.js';
import type {
  ConversationScope,
  ConversationStore,
  FeedbackRecord,
  StoredConversation,
  StoreCounts,
  StoredMessage,
  TurnRecord,
} from './store-port.js';
import type { MessageKey } from './types.js';
import {
  createWriteQueue,
  errorSummary,
  withTimeout,
  type Enqueued,
  type WriteQueue,
  type WriteQueueOptions,
} from './write-queue.js';

/**
 * How the conversation and feedback services reach the store (case C24). Reads are bounded by a
 * short timeout and fall back to what this process remembers; writes go through one ordered
 * write-behind queue. Both services share one gateway so a feedback row is always written after
 * the message it refers to.
 *
 * What is remembered in memory (bounded LRUs): message keys already claimed (dedupe while the
 * database is away, and for deliveries that race each other in this process), each recent
 * conversation's dialogue state, and recent incoming messages (so feedback on a message whose
 * row is still queued can be validated).
 */

export interface StoreGatewayOptions {
  store: ConversationStore;
  logger: Logger;
  /** A read slower than this counts as "database away", ms. */
  readTimeoutMs?: number;
  queue?: Omit<WriteQueueOptions, 'logger'>;
  /** Entries kept in each in-memory cache. */
  cacheSize?: number;
}

export type Claim = { fresh: true; messageId: string } | { fresh: false; messageId?: string };

export type MessageLookup =
  { found: true; message: StoredMessage } | { found: false; storeReachable: boolean };

export interface StoreGateway {
  /** Claims a message key; a fresh claim comes with the id its stored row will have. */
  claim(key: MessageKey): Promise<Claim>;
  loadConversation(scope: ConversationScope): Promise<StoredConversation | undefined>;
  /** Queues a turn; `liveState` (unredacted slots) is what this process remembers. */
  saveTurn(turn: TurnRecord, liveState: DialogueState): Enqueued;
  findMessage(id: string): Promise<MessageLookup>;
  saveFeedback(record: FeedbackRecord): Enqueued;
  forget(key: MessageKey): Enqueued;
  /** True when the database answers now. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Row counts from the database (throws when it is away). */
  counts(): Promise<StoreCounts>;
  readonly queue: WriteQueue;
}

const DEFAULT_READ_TIMEOUT_MS = 1_000;
const DEFAULT_CACHE_SIZE = 20_000;

export function messageKeyString(key: MessageKey): string {
  return [key.platform, key.workspaceId, key.channelId, key.platformMessageId].join('\u001f');
}

export function scopeString(scope: ConversationScope): string {
  return [scope.platform, scope.workspaceId, scope.channelId, scope.scopeKey].join('\u001f');
}

export function createStoreGateway(options: StoreGatewayOptions): StoreGateway {
  const { store } = options;
  const log = options.logger;
  const readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const size = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  const queue = createWriteQueue({ logger: log, ...options.queue });

  const claimed = new Lru<string, string>(size);
  const conversations = new Lru<string, StoredConversation>(size);
  const messages = new Lru<string, StoredMessage>(size);

  async function read<T>(label: string, work: () => Promise<T>): Promise<T | typeof UNAVAILABLE> {
    try {
      return await withTimeout(work(), readTimeoutMs);
    } catch (err) {
      log.warn(
        { label, err: errorSummary(err) },
        'store read failed; using what this process remembers',
      );
      return UNAVAILABLE;
    }
  }

  async function claim(key: MessageKey): Promise<Claim> {
    const text = messageKeyString(key);
    // Check and mark before any await, so two deliveries racing in this process see each other.
    const known = claimed.get(text);
    if (known !== undefined) return { fresh: false, messageId: known };
    const messageId = randomUUID();
    claimed.set(text, messageId);

    const first = await read('claim', () => store.claim(text));
    if (first === UNAVAILABLE) {
      queue.enqueue('claim', async () => void (await store.claim(text)));
      return { fresh: true, messageId };
    }
    if (first) return { fresh: true, messageId };

    const stored = await read('find message by key', () => store.findMessageIdByKey(key));
    const existing = stored === UNAVAILABLE ? undefined : stored;
    if (existing) claimed.set(text, existing);
    return { fresh: false, messageId: existing };
  }

  async function loadConversation(
    scope: ConversationScope,
  ): Promise<StoredConversation | undefined> {
    const cached = conversations.get(scopeString(scope));
    // With writes still queued, the database is behind this process: trust memory.
    if (cached && queue.pending > 0) return cached;
    const stored = await read('load conversation', () => store.loadConversation(scope));
    if (stored === UNAVAILABLE) return cached;
    return stored ?? cached;
  }

  function saveTurn(turn: TurnRecord, liveState: DialogueState): Enqueued {
    const scopeText = scopeString(turn.conversation);
    conversations.set(scopeText, { id: turn.conversation.id, state: liveState });
    rememberMessage(turn);

    return queue.enqueue('turn', async () => {
      const { conversationId } = await store.saveTurn(turn);
      if (conversationId !== turn.conversation.id) adoptConversationId(scopeText, conversationId);
    });
  }

  /** The database already had this conversation under another id (written while cut off). */
  function adoptConversationId(scopeText: string, conversationId: string): void {
    const cached = conversations.get(scopeText);
    if (cached) conversations.set(scopeText, { ...cached, id: conversationId });
  }

  function rememberMessage(turn: TurnRecord): void {
    messages.set(turn.incoming.id, {
      id: turn.incoming.id,
      conversationId: turn.conversation.id,
      text: turn.incoming.text,
      deleted: false,
    });
  }

  async function findMessage(id: string): Promise<MessageLookup> {
    const cached = messages.get(id);
    if (cached) return { found: true, message: cached };
    const stored = await read('find message', () => store.findMessage(id));
    if (stored === UNAVAILABLE) return { found: false, storeReachable: false };
    return stored ? { found: true, message: stored } : { found: false, storeReachable: true };
  }

  function forget(key: MessageKey): Enqueued {
    const text = messageKeyString(key);
    const id = claimed.get(text);
    const cached = id === undefined ? undefined : messages.get(id);
    if (cached) messages.set(cached.id, { ...cached, text: '', deleted: true });
    return queue.enqueue('forget', () => store.forgetMessage(key));
  }

  async function ping(timeoutMs = readTimeoutMs): Promise<boolean> {
    try {
      await withTimeout(store.ping(), timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  return {
    claim,
    loadConversation,
    saveTurn,
    findMessage,
    saveFeedback: (record) => queue.enqueue('feedback', () => store.upsertFeedback(record)),
    forget,
    ping,
    counts: () => withTimeout(store.counts(), readTimeoutMs * 5),
    queue,
  };
}

const UNAVAILABLE = Symbol('store unavailable');
