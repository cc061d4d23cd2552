import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ParleyError, type ErrorCode } from '../core/errors.js';
import type {
  CandidateTrainer,
  FromWorker,
  TrainJob,
  TrainJobResult,
  TrainRunOptions,
} from './train-job.js';

/**
 * Runs a training job in a child process (train-worker.ts, loaded through tsx like the rest of
 * Parley). Why a process rather than a worker thread: training is seconds to minutes of CPU, and
 * a process keeps the bot's event loop and memory apart from it, can be killed outright, and a
 * crash in native code (onnxruntime) takes down only the run.
 *
 * The job and the artifact cross by IPC with structured clone, so the model bytes stay bytes.
 * Aborting `signal` sends SIGTERM, then SIGKILL after `killAfterMs`. A child that exits without a
 * result (killed, out of memory) fails the job with TRAINING_FAILED.
 */

const WORKER = fileURLToPath(new URL('./train-worker.ts', import.meta.url));
const KILL_AFTER_MS = 5_000;

export interface ChildTrainerOptions {
  /** Called with the child once it is started (tests use it to kill the child halfway). */
  onSpawn?: (child: ChildProcess) => void;
  /** Extra environment for the child (e.g. thread limits). */
  env?: NodeJS.ProcessEnv;
}

function tsxLoader(): string {
  const require = createRequire(import.meta.url);
  return pathToFileURL(require.resolve('tsx')).href;
}

export function createChildTrainer(options: ChildTrainerOptions = {}): CandidateTrainer {
  return (job, runOptions) => trainInChild(job, runOptions, options);
}

function trainInChild(
  job: TrainJob,
  run: TrainRunOptions,
  options: ChildTrainerOptions,
): Promise<TrainJobResult> {
  if (run.signal?.aborted) return Promise.reject(cancelled());

  return new Promise<TrainJobResult>((resolve, reject) => {
    const child = fork(WORKER, [], {
      execArgv: ['--import', tsxLoader()],
      serialization: 'advanced',
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let outcome: { result: TrainJobResult } | { error: ParleyError } | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const onAbort = () => {
      outcome ??= { error: cancelled() };
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      killTimer.unref();
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('message', (message: FromWorker) => {
      if (message.type === 'event') run.onEvent?.(message.event);
      else if (message.type === 'result') outcome ??= { result: message.result };
      else outcome ??= { error: workerError(message.code, message.message) };
    });
    child.once('error', (err) => {
      outcome ??= {
        error: new ParleyError('TRAINING_FAILED', `the training process failed: ${err.message}`, {
          cause: err,
        }),
      };
    });
    // 'close', not 'exit': it comes after the IPC channel has delivered its last message.
    child.once('close', (code, signal) => {
      clearTimeout(killTimer);
      run.signal?.removeEventListener('abort', onAbort);
      if (outcome && 'result' in outcome) return resolve(outcome.result);
      if (outcome) return reject(outcome.error);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new ParleyError('TRAINING_FAILED', `the training process ${how} before it finished`));
    });

    options.onSpawn?.(child);
    child.send({ type: 'job', job });
  });
}

function cancelled(): ParleyError {
  return new ParleyError('TRAINING_CANCELLED', 'training was cancelled');
}

const KNOWN_CODES = new Set<string>([
  'DATA_INVALID',
  'MODEL_INVALID',
  'DEVICE_UNAVAILABLE',
  'GRAPH_SHAPE',
  'TRAINING_CANCELLED',
  'CONFIG_INVALID',
]);

function workerError(code: string, message: string): ParleyError {
  const known = KNOWN_CODES.has(code) ? (code as ErrorCode) : 'TRAINING_FAILED';
  return new ParleyError(known, message);
}
