import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { ParleyError } from '../core/errors.js';
import type { DataFormat } from '../data/example.js';
import { saveArtifact } from '../nlu/artifact.js';
import { train, type TrainOptions } from '../train/trainer.js';
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
  config?: string;
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
      .option(
        '--config <file>',
        'JSON with "model", "featurizer" and "training" settings (defaults in src/nlu/model.ts, ' +
          'src/nlu/featurize.ts, src/train/trainer.ts); --epochs and --seed win over it',
      )
      .action((flags: TrainFlags) => runTrain(flags, io));
  },
};

async function runTrain(flags: TrainFlags, io: CliIo): Promise<void> {
  const data = await loadForCli(flags.data, flags, io);
  const dev = flags.dev ? await loadForCli(flags.dev, flags, io) : undefined;
  const settings = flags.config ? await readSettings(flags.config) : {};

  const result = await train({
    train: data.examples,
    dev: dev?.examples,
    synonyms: data.synonyms,
    regexes: data.regexes,
    lookups: data.lookups,
    model: settings.model,
    featurizer: settings.featurizer,
    training: {
      ...settings.training,
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

const settingsSchema = z
  .object({
    model: z.record(z.string(), z.unknown()).optional(),
    featurizer: z.record(z.string(), z.unknown()).optional(),
    training: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Training settings from a JSON file; the trainer checks the values themselves. */
async function readSettings(
  path: string,
): Promise<Pick<TrainOptions, 'model' | 'featurizer' | 'training'>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ParleyError('CONFIG_INVALID', `--config ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(top level)'}: ${i.message}`,
    );
    throw new ParleyError('CONFIG_INVALID', `--config ${path}: ${problems.join('; ')}`);
  }
  return parsed.data as Pick<TrainOptions, 'model' | 'featurizer' | 'training'>;
}
