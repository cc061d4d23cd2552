import type { Command } from 'commander';
import { formatModels } from '../admin/format.js';
import { modelAdmin } from '../jobs/learning-loop.js';
import type { CliCommand, CliIo } from './command.js';
import { withLearning, type LearningContext } from './learning.js';

interface ModelsFlags {
  json?: boolean;
}

export const modelsCommand: CliCommand = {
  name: 'models',
  register(program: Command, io: CliIo) {
    program
      .command('models')
      .description('list the model versions and which one is active')
      .option('--json', 'print one JSON object: { models: [...] }')
      .action(async (flags: ModelsFlags) => {
        await withLearning(io, (ctx) => runModelsCommand(ctx, flags, io));
      });
  },
};

export async function runModelsCommand(ctx: LearningContext, flags: ModelsFlags, io: CliIo) {
  const models = await modelAdmin(ctx.registry).list();
  io.stdout(flags.json ? `${JSON.stringify({ models })}\n` : `${formatModels(models)}\n`);
  return models;
}
