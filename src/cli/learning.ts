import { userInfo } from 'node:os';
import { pino } from 'pino';
import { loadConfig, type Config } from '../config.js';
import type { Logger } from '../core/log.js';
import type { LearningPorts } from '../jobs/learning-loop.js';
import { storeLearningPorts } from '../jobs/store-binding.js';
import { bootstrapRegistry } from '../registry/base-data.js';
import { createModelRegistry, type ModelRegistry } from '../registry/registry.js';
import { openStore, type Store } from '../store/store.js';
import type { CliIo } from './command.js';

/**
 * What the operator commands (retrain, models, promote, rollback, import) share: the store of
 * the configured deployment (DATABASE_URL, or the PGlite folder; a running Parley on PGlite owns
 * its folder, so stop it or use the admin commands instead), the registry, and the first-start
 * bootstrap, so the commands work on a fresh install too.
 */

export interface LearningContext {
  config: Config;
  store: Store;
  ports: LearningPorts;
  registry: ModelRegistry;
  /** Who runs the command, for run rows and the audit log: `cli:<os user>`. */
  operator: string;
  logger: Logger;
}

export async function withLearning<T>(
  io: CliIo,
  fn: (ctx: LearningContext) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const logger = cliLogger(io);
  const store = await openStore({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.PARLEY_DATA_DIR,
    logger,
  });
  try {
    return await fn(await learningContext(config, store, logger));
  } finally {
    await store.close();
  }
}

export async function learningContext(
  config: Config,
  store: Store,
  logger: Logger,
): Promise<LearningContext> {
  let registry: ModelRegistry | undefined;
  const ports = storeLearningPorts(store, () => registry!);
  registry = createModelRegistry({ repo: ports.models, device: config.PARLEY_DEVICE, logger });
  await bootstrapRegistry(
    { registry, examples: ports.examples, logger },
    { modelDir: config.PARLEY_MODEL, dataPath: config.PARLEY_BASE_DATA },
  );
  return { config, store, ports, registry, operator: `cli:${operatorName()}`, logger };
}

function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

/**
 * Logs for a command line: a run's own lines (they carry a run id) as plain text on stderr, and
 * anything else only at warn or worse, so stdout stays the command's answer.
 */
export function cliLogger(io: CliIo): Logger {
  return pino(
    { level: 'info', base: undefined },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { level: number; msg: string; runId?: string };
        if (entry.runId) io.stderr(`[run ${entry.runId.slice(0, 8)}] ${entry.msg}\n`);
        else if (entry.level >= 40) io.stderr(`${entry.msg}\n`);
      },
    },
  );
}
