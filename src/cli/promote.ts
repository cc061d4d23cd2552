import type { Command } from 'commander';
import type { PromoteResult } from '../admin/ports.js';
import { modelAdmin } from '../jobs/learning-loop.js';
import type { CliCommand, CliIo } from './command.js';
import { withLearning, type LearningContext } from './learning.js';

interface PromoteFlags {
  json?: boolean;
}

export const promoteCommand: CliCommand = {
  name: 'promote',
  register(program: Command, io: CliIo) {
    program
      .command('promote')
      .description('make VERSION (e.g. v3) the active model on every instance')
      .argument('<version>', 'the version, as `parley models` lists it')
      .option('--json', 'print one JSON object: { version, previous, changed }')
      .action(async (version: string, flags: PromoteFlags) => {
        await withLearning(io, (ctx) => runPromoteCommand(ctx, version, flags, io));
      });
  },
};

export async function runPromoteCommand(
  ctx: LearningContext,
  version: string,
  flags: PromoteFlags,
  io: CliIo,
): Promise<PromoteResult> {
  return audited(ctx, 'promote', version, io, flags, () =>
    modelAdmin(ctx.registry).promote(version, ctx.operator),
  );
}

/** Runs a promotion, writes it to the admin audit log either way, and prints the result. */
export async function audited(
  ctx: LearningContext,
  command: string,
  args: string,
  io: CliIo,
  flags: { json?: boolean },
  fn: () => Promise<PromoteResult>,
): Promise<PromoteResult> {
  const record = (outcome: string) =>
    ctx.ports.admin.audit.record({
      platform: 'cli',
      userId: ctx.operator.slice('cli:'.length),
      command,
      args,
      allowed: true,
      outcome,
    });
  let result: PromoteResult;
  try {
    result = await fn();
  } catch (err) {
    await record(`error: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
  const changed = result.kind === 'promoted';
  const active = result.kind === 'promoted' ? result.to : result.version;
  const previous = result.kind === 'promoted' ? result.from : result.version;
  await record(changed ? `ok: ${previous ?? 'none'} -> ${active}` : 'ok: no change');
  io.stdout(
    flags.json
      ? `${JSON.stringify({ version: active, previous, changed })}\n`
      : changed
        ? `${active} is now the active model (was ${previous ?? 'none'}); running instances switch to it.\n`
        : `${active} is already the active model; nothing changed.\n`,
  );
  return result;
}
