import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ReportAttachment, ReportSink } from '../../src/admin/types.js';
import { toJsonl } from '../../src/data/jsonl.js';
import { startLearningLoop, type LearningLoop } from '../../src/jobs/learning-loop.js';
import { storeLearningPorts } from '../../src/jobs/store-binding.js';
import type { CandidateTrainer } from '../../src/jobs/train-job.js';
import { createChildTrainer } from '../../src/jobs/train-process.js';
import type { ModelRegistry } from '../../src/registry/registry.js';
import { createConversationsRepo } from '../../src/store/conversations-repo.js';
import { createMessagesRepo } from '../../src/store/messages-repo.js';
import { createPredictionsRepo } from '../../src/store/predictions-repo.js';
import { sql } from 'drizzle-orm';
import { feedback } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';
import { shopExamples } from '../fixtures/shop-data.js';
import { FAST_RETRAIN, tinyBaseModel } from './harness.js';

/** A learning loop on a real store (PGlite or a server), with the tiny model and shop data. */

export function writeShopData(dir: string): string {
  const path = join(dir, 'nlu.jsonl');
  writeFileSync(path, toJsonl(shopExamples()));
  return path;
}

export async function startTestLoop(
  store: Store,
  dataDir: string,
  options: {
    trainer?: CandidateTrainer;
    logger?: Logger;
    schedule?: { expression: string; timezone: string };
  } = {},
) {
  const reports: ReportAttachment[] = [];
  const sink: ReportSink = { name: 'admin-channel', postReport: async (r) => void reports.push(r) };
  let registry: ModelRegistry | undefined;
  const loop: LearningLoop = await startLearningLoop({
    ports: storeLearningPorts(store, () => registry!),
    paths: { modelDir: await tinyBaseModel(), dataPath: writeShopData(dataDir) },
    trainer: options.trainer ?? createChildTrainer(),
    sinks: () => [sink],
    settings: FAST_RETRAIN,
    schedule: options.schedule,
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  registry = loop.registry;
  return { loop, reports };
}

/**
 * Stores `examples` as incoming messages with a prediction and a correction from a customer,
 * as the conversation service and its feedback buttons would; returns the feedback ids.
 */
export async function seedCorrections(
  store: Store,
  examples: {
    text: string;
    intent: string;
    entities: { type: string; start: number; end: number }[];
  }[],
  kind: 'correction' | 'up' | 'down' = 'correction',
): Promise<string[]> {
  const conversations = createConversationsRepo(store);
  const messages = createMessagesRepo(store);
  const predictions = createPredictionsRepo(store);
  const ids: string[] = [];
  for (const [i, example] of examples.entries()) {
    const conversation = await conversations.findOrCreate({
      platform: 'local',
      workspaceId: 'local',
      channelId: 'web',
      scopeKey: `seed-${i}`,
    });
    const message = await messages.insert({
      conversationId: conversation.id,
      direction: 'in',
      platform: 'local',
      workspaceId: 'local',
      channelId: 'web',
      platformMessageId: `m-${i}-${Math.random()}`,
      userId: `customer-${i}`,
      text: example.text,
    });
    await predictions.insert(message.id, {
      text: example.text,
      intent: { name: 'greet', confidence: 0.6 },
      ranking: [],
      entities: [],
      modelVersion: 'v1',
      truncated: false,
    });
    const [row] = await store.db
      .insert(feedback)
      .values({
        messageId: message.id,
        userId: `customer-${i}`,
        kind,
        correctedIntent: kind === 'correction' ? example.intent : null,
        correctedEntities: kind === 'correction' ? example.entities : null,
      })
      .returning({ id: feedback.id });
    ids.push(row.id);
  }
  return ids;
}

/** Empties every table the learning loop touches, so tests can share one store. */
export async function emptyTables(store: Store): Promise<void> {
  await store.db.execute(
    sql.raw(
      'truncate admin_audit, feedback, predictions, messages, conversations, ' +
        'training_examples, model_versions, training_runs restart identity cascade',
    ),
  );
}
