import type { Command } from 'commander';
import type { DataFormat } from '../data/example.js';
import { saveArtifact } from '../nlu/artifact.js';
import { train } from '../train/trainer.js';
import type { CliCommand, CliIo } from './command.js';
import { loadForCli } from './data.js';
import { parseDevice, parseFormat, parseNonNegativeInt, parsePositiveInt } from './options.js';

interface TrainFlags {
  data: string;
  format?: DataFormat;
  dev?: string;
  out: string;
  epochs?: number;
  seed?: number;
  device: 'cpu' | 'cuda';
  strict?: boolean;
  progress: boolean;
}

export const trainCommand: CliCommand = {
  name: 'train',
  register(program: Command, io: CliIo) {
    program
      .command('train')
      .description('train a joint intent + entity model and write it to a model folder')
      .requiredOption('--data <path>', 'training data: a file or a folder')
      .option(
        '--format <format>',
        'rasa, jointbert, csv or jsonl (detected when absent)',
        parseFormat,
      )
      .option(
        '--dev <path>',
        'dev data for early stopping and calibration (carved from --data when absent)',
      )
      .requiredOption('--out <dir>', 'model folder to write (model.onnx + manifest.json)')
      .option('--epochs <n>', 'most epochs to train', parsePositiveInt)
      .option(
        '--seed <n>',
        'random seed; the same seed and data give the same model',
        parseNonNegativeInt,
      )
      .option('--device <device>', 'cpu or cuda', parseDevice, 'cpu')
      .option('--strict', 'refuse data with any import error instead of skipping those lines')
      .option('--no-progress', 'no progress bar or progress logs')
      .action((flags: TrainFlags) => runTrain(flags, io));
  },
};

async function runTrain(flags: TrainFlags, io: CliIo): Promise<void> {
  const data = await loadForCli(flags.data, flags, io);
  const dev = flags.dev ? await loadForCli(flags.dev, flags, io) : undefined;

  const result = await train({
    train: data.examples,
    dev: dev?.examples,
    synonyms: data.synonyms,
    regexes: data.regexes,
    lookups: data.lookups,
    training: {
      ...(flags.epochs !== undefined && { epochs: flags.epochs }),
      ...(flags.seed !== undefined && { seed: flags.seed }),
    },
    device: flags.device,
    progress: flags.progress ? (io.isTty ? 'bar' : 'log') : 'none',
  });
  await saveArtifact(flags.out, result.artifact);

  const { manifest } = result.artifact;
  const m = manifest.metrics;
  io.stdout(
    `model ${manifest.version} written to ${flags.out}\n` +
      `  ${manifest.labels.intents.length} intents, ${(manifest.labels.tags.length - 1) / 2} entity types, ` +
      `${manifest.training.trainExamples} training examples, ${manifest.training.devExamples} dev (${manifest.training.devSource})\n` +
      `  best epoch ${manifest.training.bestEpoch} of ${manifest.training.epochs}, ` +
      `${(manifest.training.durationMs / 1000).toFixed(1)} s\n` +
      `  dev intent accuracy ${(m.devIntentAccuracy * 100).toFixed(1)}%, entity F1 ${(m.devEntityF1 * 100).toFixed(1)}, ` +
      `out-of-scope threshold ${manifest.calibration.threshold.toFixed(3)}, temperature ${manifest.calibration.temperature.toFixed(2)}\n`,
  );
}
