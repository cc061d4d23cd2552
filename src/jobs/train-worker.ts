/**
 * The training process: `train-process.ts` forks this file, sends one job over IPC, and gets
 * progress events and the trained artifact back. Training runs here, not in the bot's process,
 * so the bot keeps answering while a run trains, and a run can be stopped (or killed) without
 * touching the process that serves.
 */
import { pino } from 'pino';
import { isParleyError } from '../core/errors.js';
import { checkArtifact } from '../nlu/artifact.js';
import { train } from '../train/trainer.js';
import type { FromWorker, ToWorker, TrainEvent } from './train-job.js';

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

// The trainer's progress logs, one JSON line each, go to the parent as events.
const events = {
  write(line: string) {
    try {
      void send({ type: 'event', event: JSON.parse(line) as TrainEvent });
    } catch {
      // a line that is not JSON is not an event; pino writes only JSON here
    }
  },
};
const log = pino({ level: 'info', base: { component: 'train-worker' } }, events);

async function runJob(message: ToWorker): Promise<void> {
  const { job } = message;
  const started = performance.now();
  try {
    const result = await train({
      train: job.train,
      warmStart: checkArtifact(job.warmStart, 'the warm-start model'),
      training: job.training,
      model: job.model,
      outOfScopeIntent: job.outOfScopeIntent,
      synonyms: job.synonyms,
      version: job.version,
      device: job.device,
      progress: 'log',
      logger: log,
    });
    const seconds = (performance.now() - started) / 1000;
    await send({ type: 'result', result: { artifact: result.artifact, seconds } });
  } catch (err) {
    const code = isParleyError(err) ? err.code : 'TRAINING_FAILED';
    const reason = err instanceof Error ? err.message : String(err);
    await send({ type: 'error', code, message: reason });
  }
  // Every message has been handed to the channel (the callbacks above); closing it lets the
  // process exit.
  process.disconnect?.();
}

process.once('message', (message: ToWorker) => void runJob(message));
