import type { Command } from 'commander';

/**
 * What a subcommand sees of the outside world. Tests pass their own to run the command line in
 * process; `main.ts` passes the real streams.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars instead of JSON progress logs). */
  isTty: boolean;
}

/** One `parley` subcommand: it adds itself to the program and writes through `io`. */
export interface CliCommand {
  name: string;
  register(program: Command, io: CliIo): void;
}
