/**
 * Retraining benchmark: one run on the shipped base data plus `--corrections` corrections
 * (target: within 3 minutes on 2 cores), timed from the request to the recorded outcome.
 *
 *   npx tsx scripts/bench-retrain.ts [--model DIR] [--corrections 500] [--report FILE]
 *
 * Without --model a base model is first trained on the train split of the base data (the split
 * the registry freezes), with the shipped settings; that time is printed apart. The corrections
 * are base examples reworded (a prefix or suffix, entity offsets moved along) and labelled with
 * their intent, stored as customers' corrections. The store is PGlite in a temporary folder;
 * training runs in the child process, as in production.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Example } from '../src/data/example.js';
import { loadDataset } from '../src/data/load.js';
import { runRetrain } from '../src/jobs/retrain.js';
import { storeLearningPorts } from '../src/jobs/store-binding.js';
import { DEFAULT_MODEL_SETTINGS } from './default-model-settings.js';
import { createChildTrainer } from '../src/jobs/train-process.js';
import { saveArtifact } from '../src/nlu/artifact.js';
import { bootstrapRegistry } from '../src/registry/base-data.js';
import { createModelRegistry, type ModelRegistry } from '../src/registry/registry.js';
import { createConversationsRepo } from '../src/store/conversations-repo.js';
import { createMessagesRepo } from '../src/store/messages-repo.js';
import { feedback } from '../src/store/schema.js';
import { openStore, type Store } from '../src/store/store.js';
import { splitFor } from '../src/store/training-examples-repo.js';
import { createRng } from '../src/train/rng.js';
import { train } from '../src/train/trainer.js';

const args = process.argv.slice(2);
const option = (name: string, fallback?: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const DATA = option('data', 'models/default/data/nlu.yml')!;
const CORRECTIONS = Number(option('corrections', '500'));
const REPORT = option('report');

const PREFIXES = ['hi, ', 'hello, ', 'quick question: ', 'excuse me, ', 'um, '];
const SUFFIXES = [' please', ' thanks', ' asap', ' thank you', '!'];

async function main() {
  const silent = pino({ level: 'silent' });
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-retrain-'));
  const data = await loadDataset(DATA);

  let modelDir = option('model');
  let baseSeconds: number | null = null;
  if (!modelDir) {
    const started = performance.now();
    const trainSplit = data.examples.filter((e) => splitFor(e.text) === 'train');
    const result = await train({
      train: trainSplit,
      synonyms: data.synonyms,
      regexes: data.regexes,
      lookups: data.lookups,
      ...DEFAULT_MODEL_SETTINGS,
      progress: 'log',
      logger: pino({ level: 'info' }, process.stderr),
    });
    modelDir = join(dir, 'base-model');
    await saveArtifact(modelDir, result.artifact);
    baseSeconds = (performance.now() - started) / 1000;
  }

  const store = await openStore({ dataDir: join(dir, 'data'), logger: silent });
  let registry: ModelRegistry | undefined;
  const ports = storeLearningPorts(store, () => registry!);
  registry = createModelRegistry({ repo: ports.models, logger: silent });
  await bootstrapRegistry(
    { registry, examples: ports.examples, logger: silent },
    { modelDir, dataPath: DATA },
  );
  await seedCorrections(store, reworded(data.examples, CORRECTIONS));

  const started = performance.now();
  const outcome = await runRetrain(
    {
      ...ports,
      registry,
      trainer: createChildTrainer(),
      sinks: [],
      logger: pino(
        { level: 'info' },
        { write: (line: string) => void process.stderr.write(`${JSON.parse(line).msg}\n`) },
      ),
    },
    { trigger: 'cli', requestedBy: 'bench' },
  );
  const runSeconds = (performance.now() - started) / 1000;
  await store.close();

  const markdown = outcome.report?.markdown ?? '';
  if (REPORT) writeFileSync(REPORT, markdown);
  const summary = {
    data: DATA,
    baseExamples: data.examples.length,
    corrections: CORRECTIONS,
    baseModelTrainingSeconds: baseSeconds === null ? null : round(baseSeconds),
    runSeconds: round(runSeconds),
    withinThreeMinutes: runSeconds <= 180,
    decision: outcome.decision,
    reason: outcome.reason,
    reportTiming: markdown.match(/Training the candidate took [^\n]*/)?.[0] ?? null,
    reportLatency: markdown.match(/\| inference latency p50 [^\n]*/)?.[0] ?? null,
    accuracy: {
      before: outcome.metrics.before?.intentAccuracy ?? null,
      after: outcome.metrics.after?.intentAccuracy ?? null,
    },
  };
  console.log(JSON.stringify(summary, null, 2));
  rmSync(dir, { recursive: true, force: true });
  if (outcome.status === 'failed') process.exitCode = 1;
}

/** `n` base examples with a few words added, labelled with their own intent. */
function reworded(examples: Example[], n: number): Example[] {
  const rng = createRng(7);
  const picked = rng.shuffle([...examples.keys()]).slice(0, n);
  return picked.map((index, i) => {
    const e = examples[index];
    const prefix = i % 2 === 0 ? PREFIXES[i % PREFIXES.length] : '';
    const suffix = i % 2 === 1 ? SUFFIXES[i % SUFFIXES.length] : '';
    const shift = prefix.length;
    return {
      text: `${prefix}${e.text}${suffix}`,
      intent: e.intent,
      entities: e.entities.map((x) => ({ ...x, start: x.start + shift, end: x.end + shift })),
    };
  });
}

async function seedCorrections(store: Store, examples: Example[]): Promise<void> {
  const conversations = createConversationsRepo(store);
  const messages = createMessagesRepo(store);
  const conversation = await conversations.findOrCreate({
    platform: 'local',
    workspaceId: 'local',
    channelId: 'bench',
    scopeKey: 'bench',
  });
  for (const [i, example] of examples.entries()) {
    const message = await messages.insert({
      conversationId: conversation.id,
      direction: 'in',
      platform: 'local',
      workspaceId: 'local',
      channelId: 'bench',
      platformMessageId: `bench-${i}`,
      userId: `customer-${i}`,
      text: example.text,
    });
    await store.db.insert(feedback).values({
      messageId: message.id,
      userId: `customer-${i}`,
      kind: 'correction',
      correctedIntent: example.intent,
      correctedEntities: example.entities.map(({ type, start, end }) => ({ type, start, end })),
    });
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

await main();
