import { Command, CommanderError } from 'commander';
import { isParleyError } from '../core/errors.js';
import type { CliIo } from './command.js';
import { commands } from './commands.js';

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stderr.isTTY === true,
};

/**
 * Runs the `parley` command line on `argv` (without the node and script paths) and returns the
 * exit code: 0 on success, 1 when a command failed, 2 for a usage error. Errors go to stderr as
 * one line, `error [CODE]: message`; a stack trace only for unexpected errors.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = new Command('parley')
    .description('Parley: a customer-service agent with a joint intent + entity model')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const command of commands) command.register(program, io);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    // Commander has printed the usage message already; help and version exit with code 0.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (isParleyError(err)) {
    io.stderr(`error [${err.code}]: ${err.message}\n`);
    return 1;
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr(`error: unexpected failure\n${detail}\n`);
  return 1;
}
