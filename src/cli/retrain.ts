import type { Command } from 'commander';
import { runRetrain } from '../jobs/retrain.js';
import { createChildTrainer } from '../jobs/train-process.js';
import { outcomeJson, type MetricsSummary, type RunOutcome } from '../jobs/types.js';
import type { CliCommand, CliIo } from './command.js';
import { withLearning, type LearningContext } from './learning.js';

interface RetrainFlags {
  json?: boolean;
}

export const retrainCommand: CliCommand = {
  name: 'retrain',
  register(program: Command, io: CliIo) {
    program
      .command('retrain')
      .description('retrain on the feedback now, run to the end and print the result')
      .option('--json', 'print the result as one JSON object')
      .action(async (flags: RetrainFlags) => {
        await withLearning(io, (ctx) => runRetrainCommand(ctx, flags, io));
      });
  },
};

/** Runs one retrain in this process; a failed run sets the exit code to 1. */
export async function runRetrainCommand(
  ctx: LearningContext,
  flags: RetrainFlags,
  io: CliIo,
): Promise<RunOutcome> {
  const outcome = await runRetrain(
    {
      ...ctx.ports,
      registry: ctx.registry,
      trainer: createChildTrainer(),
      sinks: [],
      settings: {
        trainOnThumbsUp: ctx.config.PARLEY_TRAIN_ON_THUMBS_UP,
        device: ctx.config.PARLEY_DEVICE,
      },
      logger: ctx.logger,
    },
    { trigger: 'cli', requestedBy: ctx.operator },
  );
  io.stdout(flags.json ? `${JSON.stringify(outcomeJson(outcome))}\n` : describe(outcome));
  if (outcome.status === 'failed') process.exitCode = 1;
  return outcome;
}

function describe(outcome: RunOutcome): string {
  const id = outcome.runId ? `run ${outcome.runId}` : 'no run';
  const lines = [`${id}: ${outcome.decision}`, `  ${outcome.reason}`];
  const { before, after } = outcome.metrics;
  if (before && after) {
    lines.push(
      `  intent accuracy ${figure(before.intentAccuracy)} -> ${figure(after.intentAccuracy)}, ` +
        `macro F1 ${figure(before.intentMacroF1)} -> ${figure(after.intentMacroF1)}, ` +
        `entity F1 ${figure(before.entityF1)} -> ${figure(after.entityF1)}`,
    );
    lines.push(...regressions(before, after));
  }
  if (outcome.candidateVersion) lines.push(`  candidate ${outcome.candidateVersion}`);
  return `${lines.join('\n')}\n`;
}

function regressions(before: MetricsSummary, after: MetricsSummary): string[] {
  return Object.entries(before.perIntentF1)
    .filter(([intent, f1]) => (after.perIntentF1[intent] ?? 0) < f1 - 1e-9)
    .map(
      ([intent, f1]) => `  ${intent} F1 ${figure(f1)} -> ${figure(after.perIntentF1[intent] ?? 0)}`,
    );
}

function figure(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(3);
}
