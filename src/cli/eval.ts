import type { Command } from 'commander';
import type { DataFormat } from '../data/example.js';
import { evaluate, type EvalItem } from '../eval/metrics.js';
import { renderClassificationReport } from '../eval/report.js';
import { loadNluEngine } from '../nlu/runtime.js';
import { POOL_CHUNK } from '../nlu/worker-pool.js';
import type { CliCommand, CliIo } from './command.js';
import { loadForCli } from './data.js';
import { parseDevice, parseFormat, parsePositiveInt } from './options.js';

interface EvalFlags {
  model: string;
  data: string;
  format?: DataFormat;
  json?: boolean;
  device: 'cpu' | 'cuda';
  workers: number;
}

/**
 * Messages per predictBatch call: one pool chunk in this thread; with workers, enough for each
 * to have several chunks (a multiple of the chunk, so the chunks, and the results, are the same).
 */
function batchSize(workers: number): number {
  return workers > 1 ? 16 * POOL_CHUNK : POOL_CHUNK;
}

export const evalCommand: CliCommand = {
  name: 'eval',
  register(program: Command, io: CliIo) {
    program
      .command('eval')
      .description('evaluate a model on labelled data')
      .requiredOption('--model <dir>', 'model folder')
      .requiredOption('--data <path>', 'labelled data: a file or a folder')
      .option(
        '--format <format>',
        'rasa, jointbert, csv or jsonl (detected when absent)',
        parseFormat,
      )
      .option(
        '--json',
        'print one JSON object (intent.accuracy, entities.f1, outOfScope.recall, ...)',
      )
      .option('--device <device>', 'cpu or cuda', parseDevice, 'cpu')
      .option(
        '--workers <n>',
        'worker threads that predict side by side, one core each (pays off from about 10,000 examples)',
        parsePositiveInt,
        1,
      )
      .action((flags: EvalFlags) => runEval(flags, io));
  },
};

async function runEval(flags: EvalFlags, io: CliIo): Promise<void> {
  const data = await loadForCli(flags.data, { format: flags.format }, io);
  const engine = await loadNluEngine(flags.model, {
    device: flags.device,
    workers: flags.workers,
  });
  try {
    const items: EvalItem[] = [];
    const batch = batchSize(flags.workers);
    for (let at = 0; at < data.examples.length; at += batch) {
      const chunk = data.examples.slice(at, at + batch);
      const predictions = await engine.predictBatch(chunk.map((e) => e.text));
      chunk.forEach((example, i) => {
        items.push({
          text: example.text,
          gold: { intent: example.intent, entities: example.entities },
          predicted: {
            intent: predictions[i].intent.name,
            confidence: predictions[i].intent.confidence,
            entities: predictions[i].entities,
          },
        });
      });
    }
    const evaluation = evaluate(items, { outOfScopeIntent: engine.outOfScopeIntent });
    io.stdout(
      flags.json
        ? `${JSON.stringify({ model: engine.version, ...evaluation })}\n`
        : `${renderClassificationReport(evaluation)}\n`,
    );
  } finally {
    await engine.release();
  }
}
