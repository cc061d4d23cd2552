/**
 * Replays a data set's texts through a RUNNING bot's JSON API (the local adapter) and prints, per
 * labelled intent, how Parley replied; the fallback and hand-off rates; end-to-end latency
 * (request sent to JSON parsed, in ms) p50/p99; and the rows the bot stored for the run.
 *
 *   npx tsx scripts/replay.ts --data ../shared/datasets/banking77/test.csv [--url URL]
 *
 * Every text is sent as the first message of a conversation of its own, so one text's slots
 * never leak into the next. The bot must be running (`npm start`); the default URL is
 * http://127.0.0.1:$PORT (3000).
 */
import { Command, InvalidArgumentError } from 'commander';
import { createLocalApiClient, type ChatReply, type LocalApiClient } from '../src/cli/chat.js';
import { sendLogsToStderr } from '../src/core/log.js';
import { loadDataset } from '../src/data/load.js';
import type { DataFormat } from '../src/data/example.js';

interface Flags {
  data: string;
  url: string;
  format?: DataFormat;
  concurrency: number;
  limit?: number;
  user: string;
  json?: boolean;
}

interface Outcome {
  intent: string;
  kind: string;
  predicted?: string;
  ms: number;
  failed?: string;
}

const REPLY_KINDS = ['answer', 'ask', 'fallback', 'handoff', 'prompt', 'none'] as const;

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected >= 1');
  return number;
}

async function main(): Promise<void> {
  // stdout is for the summary alone.
  sendLogsToStderr();
  const flags = new Command('replay')
    .requiredOption('--data <path>', 'data set file or folder (CSV, JSONL, Rasa YAML, JointBERT)')
    .option(
      '--url <url>',
      'base URL of the running bot',
      `http://127.0.0.1:${process.env.PORT ?? 3000}`,
    )
    .option('--format <format>', 'data format when it cannot be told from the name')
    .option('--concurrency <n>', 'requests in flight at once', positiveInt, 4)
    .option('--limit <n>', 'send only the first n texts', positiveInt)
    .option('--user <id>', 'user id the messages are stored under', 'replay')
    .option('--json', 'print the summary as JSON')
    .parse()
    .opts<Flags>();

  const dataset = await loadDataset(flags.data, { format: flags.format });
  const examples = dataset.examples.slice(0, flags.limit ?? dataset.examples.length);
  const client = createLocalApiClient(flags.url);
  const before = await client.stats();

  const started = performance.now();
  const outcomes = await replayAll(client, examples, flags);
  const wallMs = performance.now() - started;
  const after = await settledStats(client);

  const summary = summarise(outcomes, wallMs, before, after, flags);
  process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : render(summary));
}

/** Sends every text, `concurrency` at a time, in data set order. */
async function replayAll(
  client: LocalApiClient,
  examples: { text: string; intent: string }[],
  flags: Flags,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(examples.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < examples.length) {
      const index = next++;
      outcomes[index] = await replayOne(client, examples[index], flags.user);
    }
  }
  await Promise.all(Array.from({ length: flags.concurrency }, worker));
  return outcomes;
}

async function replayOne(
  client: LocalApiClient,
  example: { text: string; intent: string },
  user: string,
): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const answer: ChatReply = await client.send(example.text, undefined, user);
    return {
      intent: example.intent,
      kind: answer.reply?.kind ?? 'none',
      predicted: answer.prediction?.intent.name,
      ms: performance.now() - t0,
    };
  } catch (err) {
    const failed = err instanceof Error ? err.message : String(err);
    return { intent: example.intent, kind: 'error', ms: performance.now() - t0, failed };
  }
}

/** Stats once the bot's write queue is empty (it stores turns behind the replies). */
async function settledStats(client: LocalApiClient): Promise<Record<string, any>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const stats = await client.stats();
    if (stats.writesQueued === 0 || Date.now() > deadline) return stats;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)];
}

function summarise(
  outcomes: Outcome[],
  wallMs: number,
  before: Record<string, any>,
  after: Record<string, any>,
  flags: Flags,
) {
  const perIntent = new Map<string, Record<string, number>>();
  for (const outcome of outcomes) {
    const row = perIntent.get(outcome.intent) ?? { n: 0, samePredicted: 0 };
    row.n += 1;
    row[outcome.kind] = (row[outcome.kind] ?? 0) + 1;
    if (outcome.predicted === outcome.intent) row.samePredicted += 1;
    perIntent.set(outcome.intent, row);
  }
  const count = (kind: string) => outcomes.filter((o) => o.kind === kind).length;
  const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const delta = (key: string) =>
    after.counts && before.counts ? after.counts[key] - before.counts[key] : null;

  return {
    url: flags.url,
    data: flags.data,
    sent: outcomes.length,
    errors: count('error'),
    firstError: outcomes.find((o) => o.failed)?.failed,
    replies: Object.fromEntries(REPLY_KINDS.map((kind) => [kind, count(kind)])),
    fallbackRate: count('fallback') / Math.max(1, outcomes.length),
    handoffRate: count('handoff') / Math.max(1, outcomes.length),
    predictedAsLabelled: outcomes.filter((o) => o.predicted === o.intent).length,
    topPredicted: topCounts(
      outcomes.map((o) => o.predicted ?? '(none)'),
      8,
    ),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? 0),
    },
    throughputPerS: round(outcomes.length / (wallMs / 1000)),
    rowsStored: {
      messagesIn: delta('messagesIn'),
      messagesOut: delta('messagesOut'),
      predictions: delta('predictions'),
      conversations: delta('conversations'),
      writesStillQueued: after.writesQueued,
    },
    modelVersion: after.modelVersion,
    perIntent: Object.fromEntries([...perIntent.entries()].sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** The `n` most frequent values with their counts, most frequent first. */
function topCounts(values: string[], n: number): [string, number][] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function render(summary: ReturnType<typeof summarise>): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const kinds = REPLY_KINDS.slice(0, 4);
  const cells = (values: (string | number)[], widths: number[]) =>
    values.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]) : String(v).padStart(widths[i])));
  const widths = [48, 5, ...kinds.map(() => 8), 6];

  const lines = [
    `replayed ${summary.sent} texts from ${summary.data} to ${summary.url}`,
    `model ${summary.modelVersion}`,
    '',
    cells(['intent (labelled)', 'n', ...kinds, 'same'], widths).join(' '),
  ];
  for (const [intent, row] of Object.entries(summary.perIntent)) {
    const counts = kinds.map((kind) => row[kind] ?? 0);
    lines.push(cells([intent.slice(0, 48), row.n, ...counts, row.samePredicted], widths).join(' '));
  }

  const replies = Object.entries(summary.replies).map(([k, v]) => `${k} ${v}`);
  const firstError = summary.firstError ? ` (first: ${summary.firstError})` : '';
  const { latencyMs: ms, rowsStored: rows } = summary;
  lines.push(
    '',
    `replies: ${replies.join(', ')}; errors ${summary.errors}${firstError}`,
    `fallback rate ${pct(summary.fallbackRate)}, hand-off rate ${pct(summary.handoffRate)}, ` +
      `predicted as labelled ${summary.predictedAsLabelled}/${summary.sent}`,
    `most predicted: ${summary.topPredicted.map(([name, n]) => `${name} ${n}`).join(', ')}`,
    `end-to-end latency p50 ${ms.p50} ms, p99 ${ms.p99} ms, max ${ms.max} ms; ` +
      `${summary.throughputPerS} messages/s`,
    `rows stored: ${rows.messagesIn} incoming, ${rows.messagesOut} replies, ` +
      `${rows.predictions} predictions, ${rows.conversations} conversations; ` +
      `writes still queued ${rows.writesStillQueued}`,
  );
  return `${lines.join('\n')}\n`;
}

main().catch((err: unknown) => {
  process.stderr.write(`replay failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
