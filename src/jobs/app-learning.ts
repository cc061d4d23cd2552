import type { ReportSink } from '../admin/types.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/log.js';
import type { Store } from '../store/store.js';
import { startLearningLoop, type LearningLoop } from './learning-loop.js';
import { storeLearningPorts } from './store-binding.js';
import { createChildTrainer } from './train-process.js';

/**
 * The learning loop as the app runs it, from the configuration: the shipped model and data
 * (PARLEY_MODEL, PARLEY_BASE_DATA) seed the registry on first start, training runs in a child
 * process on PARLEY_DEVICE, thumbs-up count when PARLEY_TRAIN_ON_THUMBS_UP, and the schedule is
 * PARLEY_RETRAIN_CRON in PARLEY_RETRAIN_TZ (started here; empty disables it).
 */
export async function startAppLearning(options: {
  config: Config;
  store: Store;
  sinks: () => readonly ReportSink[];
  logger: Logger;
}): Promise<LearningLoop> {
  const { config, store } = options;
  let loop: LearningLoop | undefined;
  loop = await startLearningLoop({
    ports: storeLearningPorts(store, () => loop!.registry),
    paths: { modelDir: config.PARLEY_MODEL, dataPath: config.PARLEY_BASE_DATA },
    trainer: createChildTrainer(),
    sinks: options.sinks,
    device: config.PARLEY_DEVICE,
    schedule: { expression: config.PARLEY_RETRAIN_CRON, timezone: config.PARLEY_RETRAIN_TZ },
    settings: { trainOnThumbsUp: config.PARLEY_TRAIN_ON_THUMBS_UP },
    logger: options.logger.child({ component: 'learning' }),
  });
  loop.startSchedule();
  return loop;
}
