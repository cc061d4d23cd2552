import { and, asc, count, eq, gte, sql } from 'drizzle-orm';
import type { MessageKey, Platform, ReplyKind } from '../conversation/types.js';
import { ParleyError } from '../core/errors.js';
import { guard, IDEMPOTENT } from './errors.js';
import { messages, type Message } from './schema.js';
import type { Store } from './store.js';

export interface NewMessageInput {
  conversationId: string;
  direction: 'in' | 'out';
  platform: Platform;
  workspaceId: string;
  channelId: string;
  platformMessageId?: string | null;
  userId?: string | null;
  /** Already redacted: the store never sees raw personal data. */
  text: string;
  replyKind?: ReplyKind | null;
  inReplyTo?: string | null;
}

export interface TrafficStats {
  incoming: number;
  outgoing: number;
  /** Outgoing messages by reply kind. */
  byReplyKind: Partial<Record<ReplyKind, number>>;
}

export interface MessagesRepo {
  insert(input: NewMessageInput): Promise<Message>;
  get(id: string): Promise<Message | undefined>;
  /** Records the platform's id for a reply once it was posted. */
  setPlatformMessageId(id: string, platformMessageId: string): Promise<void>;
  /**
   * A platform deletion: empties the stored text of every message with this key and flags it
   * deleted. Returns how many rows changed (0 when the message was never stored).
   */
  redactByPlatformKey(key: MessageKey): Promise<number>;
  listByConversation(conversationId: string, limit?: number): Promise<Message[]>;
  /** Message counts since `since` (all time when omitted), for the admin `stats` command. */
  stats(since?: Date): Promise<TrafficStats>;
}

export function createMessagesRepo(store: Store): MessagesRepo {
  const { db } = store;

  async function insert(input: NewMessageInput): Promise<Message> {
    const rows = await guard('messages.insert', () =>
      db.insert(messages).values(input).returning(),
    );
    return rows[0];
  }

  async function get(id: string): Promise<Message | undefined> {
    const rows = await guard(
      'messages.get',
      () => db.select().from(messages).where(eq(messages.id, id)),
      IDEMPOTENT,
    );
    return rows[0];
  }

  async function setPlatformMessageId(id: string, platformMessageId: string): Promise<void> {
    const rows = await guard(
      'messages.setPlatformMessageId',
      () =>
        db
          .update(messages)
          .set({ platformMessageId })
          .where(eq(messages.id, id))
          .returning({ id: messages.id }),
      IDEMPOTENT,
    );
    if (rows.length === 0) throw new ParleyError('NOT_FOUND', `message ${id} does not exist`);
  }

  async function redactByPlatformKey(key: MessageKey): Promise<number> {
    const rows = await guard(
      'messages.redactByPlatformKey',
      () =>
        db
          .update(messages)
          .set({ text: '', deleted: true })
          .where(
            and(
              eq(messages.platform, key.platform),
              eq(messages.workspaceId, key.workspaceId),
              eq(messages.channelId, key.channelId),
              eq(messages.platformMessageId, key.platformMessageId),
            ),
          )
          .returning({ id: messages.id }),
      IDEMPOTENT,
    );
    return rows.length;
  }

  async function listByConversation(conversationId: string, limit = 100): Promise<Message[]> {
    return guard(
      'messages.listByConversation',
      () =>
        db
          .select()
          .from(messages)
          .where(eq(messages.conversationId, conversationId))
          .orderBy(asc(messages.createdAt), asc(messages.id))
          .limit(limit),
      IDEMPOTENT,
    );
  }

  async function stats(since?: Date): Promise<TrafficStats> {
    const rows = await guard(
      'messages.stats',
      () =>
        db
          .select({ direction: messages.direction, replyKind: messages.replyKind, n: count() })
          .from(messages)
          .where(since ? gte(messages.createdAt, since) : sql`true`)
          .groupBy(messages.direction, messages.replyKind),
      IDEMPOTENT,
    );
    const result: TrafficStats = { incoming: 0, outgoing: 0, byReplyKind: {} };
    for (const row of rows) {
      if (row.direction === 'in') result.incoming += row.n;
      if (row.direction !== 'out') continue;
      result.outgoing += row.n;
      if (row.replyKind) result.byReplyKind[row.replyKind] = row.n;
    }
    return result;
  }

  return { insert, get, setPlatformMessageId, redactByPlatformKey, listByConversation, stats };
}
