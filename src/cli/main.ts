/**
 * Entry point of the `parley` command line (bin/parley.js runs it through tsx). The commands
 * live in their own files under src/cli/ and are listed in commands.ts. Logs go to stderr, so
 * stdout carries only what a command prints (one JSON object for `eval --json`). The program
 * is imported after that switch because modules create their loggers when they load.
 */
import { sendLogsToStderr } from '../core/log.js';

sendLogsToStderr();
const { runCli } = await import('./program.js');
process.exitCode = await runCli(process.argv.slice(2));
