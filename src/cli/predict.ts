import type { Command } from 'commander';
import { loadNluEngine } from '../nlu/runtime.js';
import type { Prediction } from '../nlu/types.js';
import type { CliCommand, CliIo } from './command.js';
import { parseDevice } from './options.js';

interface PredictFlags {
  model: string;
  json?: boolean;
  device: 'cpu' | 'cuda';
}

export const predictCommand: CliCommand = {
  name: 'predict',
  register(program: Command, io: CliIo) {
    program
      .command('predict')
      .description('predict the intent and entities of one message')
      .requiredOption('--model <dir>', 'model folder')
      .option('--json', 'print the prediction as JSON')
      .option('--device <device>', 'cpu or cuda', parseDevice, 'cpu')
      .argument('<text...>', 'the message (several words are joined with spaces)')
      .action((words: string[], flags: PredictFlags) => runPredict(words.join(' '), flags, io));
  },
};

async function runPredict(text: string, flags: PredictFlags, io: CliIo): Promise<void> {
  const engine = await loadNluEngine(flags.model, { device: flags.device });
  try {
    const prediction = await engine.predict(text);
    io.stdout(flags.json ? `${JSON.stringify(prediction)}\n` : describe(prediction));
  } finally {
    await engine.release();
  }
}

function describe(prediction: Prediction): string {
  const lines = [`${prediction.intent.name} (${prediction.intent.confidence.toFixed(3)})`];
  for (const e of prediction.entities) {
    const canonical = e.normalized ? ` -> ${e.normalized}` : '';
    lines.push(
      `  ${e.type} = ${JSON.stringify(e.value)}${canonical} [${e.start}, ${e.end}) ${e.confidence.toFixed(3)}`,
    );
  }
  const others = prediction.ranking.slice(1, 4).map((r) => `${r.name} ${r.confidence.toFixed(3)}`);
  if (others.length > 0) lines.push(`  next: ${others.join(', ')}`);
  if (prediction.truncated) lines.push('  (input truncated to the model limit)');
  lines.push(`  model ${prediction.modelVersion}`);
  return `${lines.join('\n')}\n`;
}
