import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageKey } from '../../src/conversation/types.js';
import { isParleyError } from '../../src/core/errors.js';
import type { Prediction } from '../../src/nlu/types.js';
import { createAdminAuditRepo } from '../../src/store/admin-audit-repo.js';
import { createConversationsRepo } from '../../src/store/conversations-repo.js';
import { guard } from '../../src/store/errors.js';
import { createFeedbackRepo } from '../../src/store/feedback-repo.js';
import { createMessagesRepo } from '../../src/store/messages-repo.js';
import {
  createModelVersionsRepo,
  MODEL_CHANNEL,
  type PromotionNotice,
} from '../../src/store/model-versions-repo.js';
import { createPredictionsRepo } from '../../src/store/predictions-repo.js';
import { createProcessedMessagesRepo } from '../../src/store/processed-messages-repo.js';
import { modelVersions } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';
import {
  createTrainingExamplesRepo,
  normaliseText,
  splitFor,
} from '../../src/store/training-examples-repo.js';
import { createTrainingRunsRepo } from '../../src/store/training-runs-repo.js';
import { BACKENDS, setUpBackend, waitFor, type Backend } from './harness.js';

let unique = 0;
const fresh = (label: string) => `${label}-${++unique}`;

function slackKey(ts: string): MessageKey {
  return { platform: 'slack', workspaceId: 'T1', channelId: 'C_SUPPORT', platformMessageId: ts };
}

function prediction(intent: string, version = '1'): Prediction {
  return {
    text: 'where is order A1234',
    intent: { name: intent, confidence: 0.93 },
    ranking: [
      { name: intent, confidence: 0.93 },
      { name: 'refund', confidence: 0.05 },
    ],
    entities: [{ type: 'order_id', value: 'A1234', start: 15, end: 20, confidence: 0.9 }],
    modelVersion: version,
    truncated: false,
  };
}

describe.each(BACKENDS)('repositories on %s', (kind) => {
  let backend: Backend;
  let store: Store;

  beforeAll(async () => {
    backend = await setUpBackend(kind, 'repos');
    store = await backend.open();
  });

  afterAll(async () => {
    await store?.close();
    await backend?.cleanup();
  });

  /** An incoming message stored in a fresh conversation, as the pipeline would. */
  async function storedMessage(text = 'where is order A1234') {
    const conversation = await createConversationsRepo(store).findOrCreate({
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'C_SUPPORT',
      scopeKey: fresh('thread'),
    });
    return createMessagesRepo(store).insert({
      conversationId: conversation.id,
      direction: 'in',
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'C_SUPPORT',
      platformMessageId: fresh('1700000000.0001'),
      userId: 'U_A',
      text,
    });
  }

  describe('conversations', () => {
    it('finds the same conversation for one scope and a new one for another', async () => {
      const repo = createConversationsRepo(store);
      const scope = {
        platform: 'slack' as const,
        workspaceId: 'T1',
        channelId: 'C_SUPPORT',
        scopeKey: '1700000200.000300',
      };
      const [a, b] = await Promise.all([repo.findOrCreate(scope), repo.findOrCreate(scope)]);
      expect(b.id).toBe(a.id);

      const other = await repo.findOrCreate({ ...scope, scopeKey: '1700000900.000100' });
      expect(other.id).not.toBe(a.id);
      expect(other.slots).toEqual({});
    });

    it('keeps slots and fallback counts per conversation', async () => {
      const repo = createConversationsRepo(store);
      const conversation = await repo.findOrCreate({
        platform: 'discord',
        workspaceId: 'G1',
        channelId: 'thread-9',
        scopeKey: 'thread-9',
      });
      const updated = await repo.update(conversation.id, {
        slots: { order_id: 'B5678' },
        fallbackCount: 2,
        handedOff: true,
      });
      expect(updated).toMatchObject({ slots: { order_id: 'B5678' }, fallbackCount: 2 });
      expect((await repo.get(conversation.id))?.handedOff).toBe(true);
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(conversation.updatedAt.getTime());
    });

    it('answers NOT_FOUND when updating a conversation that does not exist', async () => {
      const error = await createConversationsRepo(store)
        .update('00000000-0000-4000-8000-000000000000', { fallbackCount: 1 })
        .catch((err: unknown) => err);
      expect(isParleyError(error, 'NOT_FOUND')).toBe(true);
    });
  });

  describe('messages and predictions', () => {
    it('stores a turn with its prediction and model version', async () => {
      const message = await storedMessage();
      const stored = await createPredictionsRepo(store).insert(
        message.id,
        prediction('order_status', '7'),
      );
      const again = await createPredictionsRepo(store).getByMessage(message.id);
      expect(again).toMatchObject({
        id: stored.id,
        intent: 'order_status',
        confidence: 0.93,
        modelVersion: '7',
      });
      expect(again?.entities[0]).toMatchObject({ type: 'order_id', start: 15, end: 20 });
      expect(again?.ranking.map((r) => r.name)).toEqual(['order_status', 'refund']);
    });

    it('redacts the stored text of a message deleted on the platform', async () => {
      const messages = createMessagesRepo(store);
      const message = await storedMessage('my email is jane@example.test');
      const key = slackKey(message.platformMessageId!);
      expect(await messages.redactByPlatformKey(key)).toBe(1);
      expect(await messages.get(message.id)).toMatchObject({ text: '', deleted: true });
      expect(await messages.redactByPlatformKey(slackKey('never-stored'))).toBe(0);
    });

    it('counts traffic by direction and reply kind', async () => {
      const messages = createMessagesRepo(store);
      const since = new Date(Date.now() - 1000);
      const incoming = await storedMessage();
      for (const replyKind of ['fallback', 'fallback', 'answer'] as const) {
        await messages.insert({
          conversationId: incoming.conversationId,
          direction: 'out',
          platform: 'slack',
          workspaceId: 'T1',
          channelId: 'C_SUPPORT',
          text: 'reply',
          replyKind,
          inReplyTo: incoming.id,
        });
      }
      const stats = await messages.stats(since);
      expect(stats.byReplyKind.fallback).toBeGreaterThanOrEqual(2);
      expect(stats.outgoing).toBeGreaterThanOrEqual(3);
      expect(stats.incoming).toBeGreaterThanOrEqual(1);
    });
  });

  describe('processed message keys (case C13)', () => {
    it('lets only the first claimant of a message key through', async () => {
      const repo = createProcessedMessagesRepo(store);
      const key = slackKey(fresh('1700000000.000100'));
      // Slack's retry and a redelivery under a new event id carry the same team, channel and ts.
      const claims = await Promise.all([repo.claim(key), repo.claim(key), repo.claim(key)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await repo.claim(key)).toBe(false);
      expect(await repo.claim({ ...key, channelId: 'C_OTHER' })).toBe(true);
    });

    it('prunes keys older than a cut-off', async () => {
      const repo = createProcessedMessagesRepo(store);
      await repo.claim(slackKey(fresh('old')));
      expect(await repo.prune(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    });
  });

  describe('feedback', () => {
    it('keeps one row per message and user, replaced by a second click', async () => {
      const repo = createFeedbackRepo(store);
      const message = await storedMessage();
      await createPredictionsRepo(store).insert(message.id, prediction('order_status'));

      const first = await repo.upsert({ messageId: message.id, userId: 'U_A', kind: 'up' });
      await repo.setStatus([first.id], 'accepted', 'U_ADMIN');
      const second = await repo.upsert({
        messageId: message.id,
        userId: 'U_A',
        kind: 'correction',
        correctedIntent: 'refund',
        correctedEntities: [{ type: 'order_id', start: 15, end: 20 }],
      });
      expect(second.id).toBe(first.id);
      expect(second).toMatchObject({ kind: 'correction', status: 'pending', reviewedBy: null });
      expect(second.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());

      const other = await repo.upsert({ messageId: message.id, userId: 'U_B', kind: 'down' });
      expect(other.id).not.toBe(first.id);

      const item = await repo.get(first.id);
      expect(item).toMatchObject({
        correctedIntent: 'refund',
        text: 'where is order A1234',
        predictedIntent: 'order_status',
        modelVersion: '1',
      });
    });

    it('lists the review queue and moves items through review', async () => {
      const repo = createFeedbackRepo(store);
      const message = await storedMessage('cancel it');
      const down = await repo.upsert({ messageId: message.id, userId: 'U_Q', kind: 'down' });
      expect((await repo.listReviewQueue(1000)).map((i) => i.id)).toContain(down.id);

      expect(await repo.setStatus([down.id], 'rejected', 'U_ADMIN')).toBe(1);
      expect((await repo.listReviewQueue(1000)).map((i) => i.id)).not.toContain(down.id);

      const corrected = await repo.applyCorrection(down.id, {
        intent: 'cancel_order',
        entities: [],
        reviewedBy: 'U_ADMIN',
      });
      expect(corrected).toMatchObject({ kind: 'correction', status: 'accepted' });
      const accepted = await repo.list({ statuses: ['accepted'], kinds: ['correction'] });
      expect(accepted.find((i) => i.id === down.id)?.text).toBe('cancel it');
      const counts = await repo.counts();
      expect(
        counts.find((c) => c.kind === 'correction' && c.status === 'accepted')?.n,
      ).toBeGreaterThan(0);
    });
  });

  describe('training examples', () => {
    it('normalises case, width and whitespace before hashing', () => {
      expect(normaliseText('  Where\tIS  my\nＯＲＤＥＲ ')).toBe('where is my order');
      expect(splitFor('Where is my ORDER')).toBe(splitFor('where   is my order'));
    });

    it('assigns about the configured share of texts to the test split', () => {
      const texts = Array.from({ length: 4000 }, (_, i) => `customer message number ${i}`);
      const share = texts.filter((t) => splitFor(t, 0.2) === 'test').length / texts.length;
      expect(share).toBeGreaterThan(0.17);
      expect(share).toBeLessThan(0.23);
    });

    it('freezes the split at insert, across origins and test fractions', async () => {
      const repo = createTrainingExamplesRepo(store);
      const texts = Array.from({ length: 60 }, (_, i) => `where is order Q${i}00`);
      const base = texts.map((text) => ({ text, intent: 'order_status', entities: [] }));
      expect(await repo.insertMany(base, { origin: 'base' })).toEqual({ written: 60, skipped: 0 });

      // A correction of the same text, written differently, with every new text sent to test:
      // the stored split wins, so a base test text never becomes training data.
      const corrections = texts.map((text) => ({
        text: `  ${text.toUpperCase()} `,
        intent: 'refund',
        entities: [],
      }));
      await repo.insertMany(corrections, { origin: 'feedback', testFraction: 1 });

      const rows = await repo.list({ origins: ['base', 'feedback'] });
      const splitsByHash = new Map<string, Set<string>>();
      for (const row of rows) {
        splitsByHash.set(
          row.textHash,
          (splitsByHash.get(row.textHash) ?? new Set()).add(row.split),
        );
      }
      for (const text of texts) {
        const row = rows.find((r) => r.text === text)!;
        expect(row.split).toBe(splitFor(text));
        expect(splitsByHash.get(row.textHash)).toEqual(new Set([row.split]));
      }
    });

    it('skips repeats within an origin, or replaces them when asked', async () => {
      const repo = createTrainingExamplesRepo(store);
      const text = `i want a refund for ${fresh('R')}`;
      const one = { text, intent: 'refund', entities: [] };
      expect(
        await repo.insertMany([one, { ...one, text: text.toUpperCase() }], { origin: 'import' }),
      ).toEqual({
        written: 1,
        skipped: 1,
      });
      await repo.insertMany([{ ...one, intent: 'cancel_order' }], { origin: 'import' });
      expect((await repo.list({ origins: ['import'] })).find((r) => r.text === text)?.intent).toBe(
        'refund',
      );
      await repo.insertMany([{ ...one, intent: 'cancel_order' }], {
        origin: 'import',
        onConflict: 'replace',
      });
      expect((await repo.list({ origins: ['import'] })).find((r) => r.text === text)?.intent).toBe(
        'cancel_order',
      );
    });

    it('bulk-inserts a large set and lists it by split', async () => {
      const repo = createTrainingExamplesRepo(store);
      const inputs = Array.from({ length: 2500 }, (_, i) => ({
        text: `bulk example ${i} about order ${i}`,
        intent: i % 2 ? 'order_status' : 'refund',
        entities: [{ type: 'order_id', start: 0, end: 4, value: 'bulk' }],
        source: `bulk.csv:${i + 2}`,
      }));
      expect(await repo.insertMany(inputs, { origin: 'base' })).toEqual({
        written: 2500,
        skipped: 0,
      });
      const test = await repo.list({ split: 'test', origins: ['base'] });
      const train = await repo.list({ split: 'train', origins: ['base'] });
      expect(test.every((r) => r.split === 'test')).toBe(true);
      expect(test.length + train.length).toBeGreaterThanOrEqual(2500);
      expect(train.find((r) => r.source === 'bulk.csv:3')?.entities[0]).toMatchObject({
        type: 'order_id',
      });
    });
  });

  describe('model versions', () => {
    const artifact = (n: number) => new Uint8Array([n, 0, 255, n]);

    async function activeRows() {
      return store.db.select().from(modelVersions).where(eq(modelVersions.status, 'active'));
    }

    it('registers the shipped model once, promotes in one step and rolls back', async () => {
      const repo = createModelVersionsRepo(store);
      const initial = await Promise.all([
        repo.ensureInitial({ artifact: artifact(1), manifest: { name: 'default' } }),
        repo.ensureInitial({ artifact: artifact(1), manifest: { name: 'default' } }),
      ]);
      expect(initial.filter((r) => r.created)).toHaveLength(1);
      const v1 = initial[0].active.version;

      const heard: PromotionNotice[] = [];
      let subscribed!: Promise<unknown>;
      const twoNotices = waitFor<void>(5_000, 'two promotion notices', (done) => {
        subscribed = store.listen(MODEL_CHANNEL, (payload) => {
          heard.push(JSON.parse(payload) as PromotionNotice);
          if (heard.length === 2) done();
        });
      });
      // LISTEN must be in place before the first NOTIFY, or the notice is simply not delivered.
      await subscribed;

      const v2 = await repo.insertCandidate({
        artifact: artifact(2),
        manifest: { name: 'tuned' },
        parentVersion: v1,
      });
      expect(v2).toMatchObject({ status: 'candidate', parentVersion: v1 });
      expect((await repo.get(v2.version))?.artifact).toEqual(artifact(2));

      expect(await repo.promote(v2.version)).toEqual({ version: v2.version, previous: v1 });
      expect((await activeRows()).map((r) => r.version)).toEqual([v2.version]);
      expect((await repo.get(v1))?.status).toBe('retired');

      expect(await repo.rollback()).toEqual({ version: v1, previous: v2.version });
      expect(await repo.activeVersion()).toBe(v1);
      expect((await repo.getActive())?.artifact).toEqual(artifact(1));
      await twoNotices;
      expect(heard).toEqual([
        { version: v2.version, previous: v1 },
        { version: v1, previous: v2.version },
      ]);
    });

    it('keeps exactly one active version under concurrent promotions', async () => {
      const repo = createModelVersionsRepo(store);
      const candidates = await Promise.all(
        [3, 4, 5].map((n) => repo.insertCandidate({ artifact: artifact(n), manifest: {} })),
      );
      await Promise.all(candidates.map((c) => repo.promote(c.version)));
      expect(await activeRows()).toHaveLength(1);

      // The partial unique index refuses a second active row written around the repository.
      const current = await repo.activeVersion();
      const other = candidates.find((c) => c.version !== current)!;
      const error = await guard('test.secondActive', () =>
        store.db
          .update(modelVersions)
          .set({ status: 'active' })
          .where(eq(modelVersions.version, other.version)),
      ).catch((err: unknown) => err);
      expect(isParleyError(error, 'CONFLICT')).toBe(true);
    });

    it('rejects a candidate and refuses to promote an unknown version', async () => {
      const repo = createModelVersionsRepo(store);
      const candidate = await repo.insertCandidate({ artifact: artifact(9), manifest: {} });
      await repo.reject(candidate.version);
      expect((await repo.get(candidate.version))?.status).toBe('rejected');
      const error = await repo.promote(999_999).catch((err: unknown) => err);
      expect(isParleyError(error, 'NOT_FOUND')).toBe(true);
      const versions = (await repo.list()).map((v) => v.version);
      expect(versions).toEqual([...versions].sort((a, b) => b - a));
      expect(Object.keys((await repo.list())[0])).not.toContain('artifact');
    });
  });

  describe('training runs', () => {
    it('gives each schedule slot to one run only (case C21)', async () => {
      const repo = createTrainingRunsRepo(store);
      const slotKey = `2026-01-01T03:00:00Z-${fresh('slot')}`;
      const [a, b] = await Promise.all([
        repo.create({ trigger: 'schedule', slotKey }),
        repo.create({ trigger: 'schedule', slotKey }),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
    });

    it('records a run from start to decision, with its log, report and chart', async () => {
      const repo = createTrainingRunsRepo(store);
      const run = (await repo.create({ trigger: 'command', requestedBy: 'U_ADMIN' }))!;
      expect(run.status).toBe('queued');
      await repo.start(run.id);
      await Promise.all([
        repo.appendLog(run.id, 'info', 'assembling data'),
        repo.appendLog(run.id, 'info', 'training'),
      ]);
      const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
      const finished = await repo.finish(run.id, {
        status: 'rejected',
        decision: 'rejected',
        reason: 'entity F1 fell 1.2 points',
        reportMarkdown: '# Report',
        chartPng: png,
        metrics: { before: { accuracy: 0.9 }, after: { accuracy: 0.91 } },
      });
      expect(finished).toMatchObject({ status: 'rejected', requestedBy: 'U_ADMIN' });
      expect(finished.startedAt).toBeInstanceOf(Date);
      expect(finished.endedAt).toBeInstanceOf(Date);
      expect(finished.log.map((l) => l.msg)).toEqual(
        expect.arrayContaining([
          'assembling data',
          'training',
          'rejected: entity F1 fell 1.2 points',
        ]),
      );
      expect((await repo.get(run.id))?.chartPng).toEqual(png);
      expect((await repo.list(100)).find((r) => r.id === run.id)).not.toHaveProperty('chartPng');
    });

    it('marks runs left running by a dead process as failed', async () => {
      const repo = createTrainingRunsRepo(store);
      const run = (await repo.create({ trigger: 'cli' }))!;
      await repo.start(run.id);
      const queued = (await repo.create({ trigger: 'cli' }))!;
      expect((await repo.listOpen()).map((r) => r.id)).toEqual(
        expect.arrayContaining([run.id, queued.id]),
      );

      expect(await repo.failAbandonedRuns()).toContain(run.id);
      expect(await repo.get(run.id)).toMatchObject({ status: 'failed', decision: 'failed' });
      expect((await repo.get(queued.id))?.status).toBe('queued');
      expect(await repo.failAbandonedRuns()).toEqual([]);
    });
  });

  describe('admin audit', () => {
    it('records allowed and refused commands, newest first', async () => {
      const repo = createAdminAuditRepo(store);
      await repo.insert({
        platform: 'slack',
        userId: 'U_X',
        command: 'promote',
        args: '3',
        allowed: false,
        outcome: 'refused: not an admin',
      });
      await repo.insert({
        platform: 'cli',
        userId: 'ops',
        command: 'models',
        allowed: true,
        outcome: 'listed 3',
      });
      const [latest, previous] = await repo.list(2);
      expect(latest).toMatchObject({ command: 'models', allowed: true, args: '' });
      expect(previous).toMatchObject({ command: 'promote', args: '3', allowed: false });
    });
  });
});
