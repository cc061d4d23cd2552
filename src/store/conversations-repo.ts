import { eq, sql } from 'drizzle-orm';
import type { Platform } from '../conversation/types.js';
import { ParleyError } from '../core/errors.js';
import { guard, IDEMPOTENT } from './errors.js';
import { conversations, type Conversation } from './schema.js';
import type { Store } from './store.js';

/** What identifies a conversation: a thread, a DM scope, or a local chat session. */
export interface ConversationScope {
  platform: Platform;
  workspaceId: string;
  channelId: string;
  /** Thread parent id or DM scope, as the conversation service defines it. */
  scopeKey: string;
}

export interface ConversationPatch {
  slots?: Record<string, string>;
  fallbackCount?: number;
  handedOff?: boolean;
}

export interface ConversationsRepo {
  /** The conversation for this scope, created on first use. Safe under concurrent callers. */
  findOrCreate(scope: ConversationScope): Promise<Conversation>;
  get(id: string): Promise<Conversation | undefined>;
  /** Sets the given fields and `updated_at`; NOT_FOUND for an unknown id. */
  update(id: string, patch: ConversationPatch): Promise<Conversation>;
}

export function createConversationsRepo(store: Store): ConversationsRepo {
  const { db } = store;

  async function findOrCreate(scope: ConversationScope): Promise<Conversation> {
    // One statement either way: the no-op update on conflict makes RETURNING give the row.
    const rows = await guard(
      'conversations.findOrCreate',
      () =>
        db
          .insert(conversations)
          .values(scope)
          .onConflictDoUpdate({
            target: [
              conversations.platform,
              conversations.workspaceId,
              conversations.channelId,
              conversations.scopeKey,
            ],
            set: { updatedAt: sql`now()` },
          })
          .returning(),
      IDEMPOTENT,
    );
    return rows[0];
  }

  async function get(id: string): Promise<Conversation | undefined> {
    const rows = await guard(
      'conversations.get',
      () => db.select().from(conversations).where(eq(conversations.id, id)),
      IDEMPOTENT,
    );
    return rows[0];
  }

  async function update(id: string, patch: ConversationPatch): Promise<Conversation> {
    const rows = await guard(
      'conversations.update',
      () =>
        db
          .update(conversations)
          .set({ ...patch, updatedAt: sql`now()` })
          .where(eq(conversations.id, id))
          .returning(),
      IDEMPOTENT,
    );
    if (!rows[0]) throw new ParleyError('NOT_FOUND', `conversation ${id} does not exist`);
    return rows[0];
  }

  return { findOrCreate, get, update };
}
