import { assertValid, loadDataset } from '../data/load.js';
import type { DataFormat, Dataset } from '../data/example.js';
import type { CliIo } from './command.js';

/**
 * Loads a data set for a command and reports what the importer found on stderr. With `strict`,
 * any error stops the command; otherwise the faulty lines are skipped, as the summary says.
 */
export async function loadForCli(
  path: string,
  options: { format?: DataFormat; strict?: boolean },
  io: CliIo,
): Promise<Dataset> {
  const dataset = await loadDataset(path, { format: options.format, strict: options.strict });
  const { read, imported, skipped, problems } = dataset.summary;
  if (problems.length > 0) {
    io.stderr(`${path}: read ${read}, imported ${imported}, skipped ${skipped}\n`);
    for (const problem of problems.slice(0, 20)) {
      io.stderr(`  ${problem.file}:${problem.line}: ${problem.message}\n`);
    }
    if (problems.length > 20) io.stderr(`  ... and ${problems.length - 20} more\n`);
  }
  if (options.strict) assertValid(dataset);
  return dataset;
}
