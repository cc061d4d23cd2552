import type { Command } from 'commander';
import type { PromoteResult } from '../admin/ports.js';
import { modelAdmin } from '../jobs/learning-loop.js';
import type { CliCommand, CliIo } from './command.js';
import { withLearning, type LearningContext } from './learning.js';
import { audited } from './promote.js';

interface RollbackFlags {
  json?: boolean;
}

export const rollbackCommand: CliCommand = {
  name: 'rollback',
  register(program: Command, io: CliIo) {
    program
      .command('rollback')
      .description('go back to the model that was active before, or to VERSION')
      .argument('[version]', 'a version that was active before (e.g. v2)')
      .option('--json', 'print one JSON object: { version, previous, changed }')
      .action(async (version: string | undefined, flags: RollbackFlags) => {
        await withLearning(io, (ctx) => runRollbackCommand(ctx, version, flags, io));
      });
  },
};

export async function runRollbackCommand(
  ctx: LearningContext,
  version: string | undefined,
  flags: RollbackFlags,
  io: CliIo,
): Promise<PromoteResult> {
  return audited(ctx, 'rollback', version ?? '', io, flags, () =>
    modelAdmin(ctx.registry).rollback(ctx.operator, version),
  );
}
