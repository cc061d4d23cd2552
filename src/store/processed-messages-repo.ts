import { lt } from 'drizzle-orm';
import type { MessageKey } from '../conversation/types.js';
import { guard } from './errors.js';
import { processedMessages } from './schema.js';
import type { Store } from './store.js';

/**
 * Dedupe of platform deliveries (case C13): a message is handled by whoever claims its key first,
 * on any instance. The key is the message itself (workspace, channel, message id), so a
 * redelivery under a new event id is still recognised.
 */
export interface ProcessedMessagesRepo {
  /** True only for the first claimant of `key`; every later claim gets false. */
  claim(key: MessageKey): Promise<boolean>;
  /** Forgets keys claimed before `olderThan`; returns how many were removed. */
  prune(olderThan: Date): Promise<number>;
}

export function createProcessedMessagesRepo(store: Store): ProcessedMessagesRepo {
  const { db } = store;

  async function claim(key: MessageKey): Promise<boolean> {
    // Not retried on a lost connection: a first attempt that committed would make the retry
    // answer false, and the message would never be handled.
    const rows = await guard('processedMessages.claim', () =>
      db
        .insert(processedMessages)
        .values({
          platform: key.platform,
          workspaceId: key.workspaceId,
          channelId: key.channelId,
          platformMessageId: key.platformMessageId,
        })
        .onConflictDoNothing()
        .returning({ platform: processedMessages.platform }),
    );
    return rows.length === 1;
  }

  async function prune(olderThan: Date): Promise<number> {
    const rows = await guard('processedMessages.prune', () =>
      db
        .delete(processedMessages)
        .where(lt(processedMessages.createdAt, olderThan))
        .returning({ platform: processedMessages.platform }),
    );
    return rows.length;
  }

  return { claim, prune };
}
