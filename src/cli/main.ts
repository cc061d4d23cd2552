/**
 * Entry point of the `parley` command line (bin/parley.js runs it through tsx). The commands
 * live in their own files under src/cli/ and are listed in commands.ts.
 */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
