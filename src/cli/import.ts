import type { Command } from 'commander';
import type { DataFormat } from '../data/example.js';
import { importBaseData, type ImportResult } from '../registry/base-data.js';
import type { CliCommand, CliIo } from './command.js';
import { withLearning, type LearningContext } from './learning.js';
import { parseFormat } from './options.js';

interface ImportFlags {
  format?: DataFormat;
  strict?: boolean;
  json?: boolean;
}

export const importCommand: CliCommand = {
  name: 'import',
  register(program: Command, io: CliIo) {
    program
      .command('import')
      .description('add base training data (each text gets its frozen train/test split)')
      .argument('<path>', 'a file or folder in any supported format')
      .option(
        '--format <format>',
        'rasa, jointbert, csv or jsonl (detected when absent)',
        parseFormat,
      )
      .option('--strict', 'import nothing when any line has an error')
      .option('--json', 'print the summary as one JSON object')
      .action(async (path: string, flags: ImportFlags) => {
        await withLearning(io, (ctx) => runImportCommand(ctx, path, flags, io));
      });
  },
};

export async function runImportCommand(
  ctx: LearningContext,
  path: string,
  flags: ImportFlags,
  io: CliIo,
): Promise<ImportResult> {
  const result = await importBaseData(ctx.ports.examples, path, flags);
  if (flags.json) {
    io.stdout(`${JSON.stringify(result)}\n`);
  } else {
    io.stdout(
      `${path}: read ${result.read}, stored ${result.written} new examples ` +
        `(${result.duplicates} already stored, ${result.skipped} skipped)\n`,
    );
    for (const problem of result.problems.slice(0, 20)) {
      io.stderr(`  ${problem.file}:${problem.line}: ${problem.message}\n`);
    }
    if (result.problems.length > 20) io.stderr(`  ... and ${result.problems.length - 20} more\n`);
    if (result.written > 0) io.stdout('The next retraining run trains on them.\n');
  }
  return result;
}
