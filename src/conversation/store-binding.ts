import { and, eq, inArray, sql } from 'drizzle-orm';
import { ParleyError } from '../core/errors.js';
import { guard, IDEMPOTENT } from '../store/errors.js';
import {
  conversations,
  feedback,
  messages,
  predictions,
  processedMessages,
} from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { DialogueState } from './policy.js';
import type { ConversationStore, StoreCounts, TurnRecord } from './store-port.js';
import type { MessageKey } from './types.js';

/**
 * The conversation port on Parley's Postgres store (PGlite or a server). Writes choose their own
 * ids and ignore rows that are already there, so the write queue may retry any of them.
 *
 * Dialogue state: slots, fallback count and hand-off flag have their own columns; the pending
 * question and the last answered intent ride in `slots` under keys that start with "@" (entity
 * type names never do), so no schema change was needed for them.
 */

const PENDING_INTENT = '@pending_intent';
const PENDING_ENTITY = '@pending_entity';
const LAST_INTENT = '@last_intent';

export function createConversationStore(store: Store): ConversationStore {
  const { db } = store;

  async function claim(key: string): Promise<boolean> {
    const [platform, workspaceId, channelId, platformMessageId] = key.split('\u001f');
    // Not retried here: a first attempt that committed would make a retry answer "claimed".
    const rows = await guard('conversation.claim', () =>
      db
        .insert(processedMessages)
        .values({
          platform: platform as MessageKey['platform'],
          workspaceId,
          channelId,
          platformMessageId,
        })
        .onConflictDoNothing()
        .returning({ platform: processedMessages.platform }),
    );
    return rows.length === 1;
  }

  async function loadConversation(scope: Parameters<ConversationStore['loadConversation']>[0]) {
    const rows = await guard(
      'conversation.load',
      () =>
        db
          .select()
          .from(conversations)
          .where(
            and(
              eq(conversations.platform, scope.platform),
              eq(conversations.workspaceId, scope.workspaceId),
              eq(conversations.channelId, scope.channelId),
              eq(conversations.scopeKey, scope.scopeKey),
            ),
          )
          .limit(1),
      IDEMPOTENT,
    );
    const row = rows[0];
    return row && { id: row.id, state: fromColumns(row.slots, row.fallbackCount, row.handedOff) };
  }

  async function saveTurn(turn: TurnRecord): Promise<{ conversationId: string }> {
    return guard('conversation.saveTurn', () =>
      db.transaction(async (tx) => {
        const { slots, fallbackCount, handedOff } = toColumns(turn.conversation.state);
        const [conversation] = await tx
          .insert(conversations)
          .values({
            id: turn.conversation.id,
            platform: turn.conversation.platform,
            workspaceId: turn.conversation.workspaceId,
            channelId: turn.conversation.channelId,
            scopeKey: turn.conversation.scopeKey,
            slots,
            fallbackCount,
            handedOff,
          })
          .onConflictDoUpdate({
            target: [
              conversations.platform,
              conversations.workspaceId,
              conversations.channelId,
              conversations.scopeKey,
            ],
            set: { slots, fallbackCount, handedOff, updatedAt: sql`now()` },
          })
          .returning({ id: conversations.id });
        const conversationId = conversation.id;
        const where = {
          platform: turn.conversation.platform,
          workspaceId: turn.conversation.workspaceId,
          channelId: turn.conversation.channelId,
        };

        await tx
          .insert(messages)
          .values({
            id: turn.incoming.id,
            conversationId,
            direction: 'in',
            ...where,
            platformMessageId: turn.incoming.platformMessageId,
            userId: turn.incoming.userId,
            text: turn.incoming.text,
            createdAt: turn.incoming.receivedAt,
          })
          .onConflictDoNothing();
        if (turn.prediction) {
          const { id, intent, confidence, entities, ranking, modelVersion } = turn.prediction;
          await tx
            .insert(predictions)
            .values({
              id,
              messageId: turn.incoming.id,
              intent,
              confidence,
              entities,
              ranking,
              modelVersion,
            })
            .onConflictDoNothing();
        }
        if (turn.outgoing) {
          await tx
            .insert(messages)
            .values({
              id: turn.outgoing.id,
              conversationId,
              direction: 'out',
              ...where,
              text: turn.outgoing.text,
              replyKind: turn.outgoing.kind,
              inReplyTo: turn.incoming.id,
              createdAt: turn.outgoing.at,
            })
            .onConflictDoNothing();
        }
        return { conversationId };
      }),
    );
  }

  async function findMessage(id: string) {
    const rows = await guard(
      'conversation.findMessage',
      () =>
        db
          .select({
            id: messages.id,
            conversationId: messages.conversationId,
            text: messages.text,
            deleted: messages.deleted,
          })
          .from(messages)
          .where(and(eq(messages.id, id), eq(messages.direction, 'in')))
          .limit(1),
      IDEMPOTENT,
    );
    return rows[0];
  }

  async function findMessageIdByKey(key: MessageKey): Promise<string | undefined> {
    const rows = await guard(
      'conversation.findMessageIdByKey',
      () => db.select({ id: messages.id }).from(messages).where(incomingByKey(key)).limit(1),
      IDEMPOTENT,
    );
    return rows[0]?.id;
  }

  async function upsertFeedback(record: Parameters<ConversationStore['upsertFeedback']>[0]) {
    const values = {
      kind: record.kind,
      correctedIntent: record.intent ?? null,
      correctedEntities: record.entities ?? null,
      // A changed mind goes back to the review queue.
      status: 'pending' as const,
    };
    await guard(
      'conversation.upsertFeedback',
      () =>
        db
          .insert(feedback)
          .values({ id: record.id, messageId: record.messageId, userId: record.userId, ...values })
          .onConflictDoUpdate({
            target: [feedback.messageId, feedback.userId],
            set: { ...values, reviewedBy: null, updatedAt: sql`now()` },
          }),
      IDEMPOTENT,
    );
  }

  /** Blanks the message, the replies to it, and the entity values of its prediction. */
  async function forgetMessage(key: MessageKey): Promise<void> {
    await guard(
      'conversation.forgetMessage',
      () =>
        db.transaction(async (tx) => {
          const gone = await tx
            .update(messages)
            .set({ text: '', deleted: true })
            .where(incomingByKey(key))
            .returning({ id: messages.id });
          const ids = gone.map((row) => row.id);
          if (ids.length === 0) return;
          await tx
            .update(messages)
            .set({ text: '', deleted: true })
            .where(inArray(messages.inReplyTo, ids));
          await tx
            .update(predictions)
            .set({
              entities: sql`coalesce(
                (select jsonb_agg(e || '{"value": ""}'::jsonb)
                 from jsonb_array_elements(${predictions.entities}) e),
                '[]'::jsonb)`,
            })
            .where(inArray(predictions.messageId, ids));
        }),
      IDEMPOTENT,
    );
  }

  async function ping(): Promise<void> {
    if (!(await store.ping()))
      throw new ParleyError('STORE_UNAVAILABLE', 'the database does not answer');
  }

  async function counts(): Promise<StoreCounts> {
    const result = await guard(
      'conversation.counts',
      () =>
        db.execute(sql`select
          (select count(*) from ${conversations})::int as conversations,
          (select count(*) from ${messages} where direction = 'in')::int as "messagesIn",
          (select count(*) from ${messages} where direction = 'out')::int as "messagesOut",
          (select count(*) from ${predictions})::int as predictions,
          (select count(*) from ${feedback})::int as feedback`),
      IDEMPOTENT,
    );
    // postgres.js returns the rows as an array, PGlite as `{ rows }`.
    const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
    return rows[0] as StoreCounts;
  }

  return {
    claim,
    loadConversation,
    saveTurn,
    findMessage,
    findMessageIdByKey,
    upsertFeedback,
    forgetMessage,
    ping,
    counts,
  };
}

function incomingByKey(key: MessageKey) {
  return and(
    eq(messages.platform, key.platform),
    eq(messages.workspaceId, key.workspaceId),
    eq(messages.channelId, key.channelId),
    eq(messages.platformMessageId, key.platformMessageId),
    eq(messages.direction, 'in'),
  );
}

function toColumns(state: DialogueState) {
  const slots: Record<string, string> = { ...state.slots };
  if (state.pending) {
    slots[PENDING_INTENT] = state.pending.intent;
    slots[PENDING_ENTITY] = state.pending.entity;
  }
  if (state.lastIntent) slots[LAST_INTENT] = state.lastIntent;
  return { slots, fallbackCount: state.fallbackCount, handedOff: state.handedOff };
}

function fromColumns(
  columns: Record<string, string>,
  fallbackCount: number,
  handedOff: boolean,
): DialogueState {
  const slots = Object.fromEntries(Object.entries(columns).filter(([key]) => !key.startsWith('@')));
  const intent = columns[PENDING_INTENT];
  const entity = columns[PENDING_ENTITY];
  return {
    slots,
    fallbackCount,
    handedOff,
    pending: intent && entity ? { intent, entity } : undefined,
    lastIntent: columns[LAST_INTENT],
  };
}

/**
 * A port that answers STORE_UNAVAILABLE until the real one is attached: the app serves replies
 * (and queues writes) while a Postgres server that was down at start is still being waited for.
 */
export function createDeferredConversationStore(): ConversationStore & {
  attach(port: ConversationStore): void;
} {
  let current: ConversationStore | undefined;
  const unavailable = () =>
    Promise.reject(new ParleyError('STORE_UNAVAILABLE', 'the database has not been reached yet'));
  const port = (): ConversationStore | undefined => current;

  return {
    attach: (next) => void (current = next),
    claim: (key) => port()?.claim(key) ?? unavailable(),
    loadConversation: (scope) => port()?.loadConversation(scope) ?? unavailable(),
    saveTurn: (turn) => port()?.saveTurn(turn) ?? unavailable(),
    findMessage: (id) => port()?.findMessage(id) ?? unavailable(),
    findMessageIdByKey: (key) => port()?.findMessageIdByKey(key) ?? unavailable(),
    upsertFeedback: (record) => port()?.upsertFeedback(record) ?? unavailable(),
    forgetMessage: (key) => port()?.forgetMessage(key) ?? unavailable(),
    ping: () => port()?.ping() ?? unavailable(),
    counts: () => port()?.counts() ?? unavailable(),
  };
}
