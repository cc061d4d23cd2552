/**
 * Training progress: a cli-progress bar on a terminal, structured pino logs otherwise (one line
 * per epoch plus the start and the end), or nothing. 'auto' picks the bar when stderr is a TTY.
 */
import cliProgress from 'cli-progress';
import type { Logger } from '../core/log.js';

export type ProgressMode = 'auto' | 'bar' | 'log' | 'none';

export interface StepProgress {
  epoch: number;
  step: number;
  totalSteps: number;
  loss: number;
  learningRate: number;
}

export interface EpochProgress {
  epoch: number;
  epochs: number;
  steps: number;
  trainLoss: number;
  /** Dev-set figures after this epoch (0..1), when there is a dev set. */
  dev?: { intentAccuracy: number; entityF1: number; score: number };
  /** Dev score of the average of the last epochs' weights, when `averageEpochs` is on. */
  devScoreAveraged?: number;
  best: boolean;
  elapsedMs: number;
}

export interface ProgressReporter {
  start(info: { epochs: number; totalSteps: number; train: number; dev: number }): void;
  step(info: StepProgress): void;
  epoch(info: EpochProgress): void;
  stop(summary: Record<string, unknown>): void;
}

export function createProgress(mode: ProgressMode, log: Logger): ProgressReporter {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'log') : mode;
  if (resolved === 'bar') return barProgress();
  if (resolved === 'log') return logProgress(log);
  return { start() {}, step() {}, epoch() {}, stop() {} };
}

function logProgress(log: Logger): ProgressReporter {
  return {
    start: (info) => log.info({ event: 'train.start', ...info }, 'training started'),
    step: () => {},
    epoch: (info) =>
      log.info({ event: 'train.epoch', ...info }, `epoch ${info.epoch}/${info.epochs}`),
    stop: (summary) => log.info({ event: 'train.done', ...summary }, 'training finished'),
  };
}

function barProgress(): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      format:
        'training [{bar}] {percentage}% | epoch {epoch} | loss {loss} | dev {dev} | {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  let dev = '-';
  return {
    start: (info) => bar.start(info.totalSteps, 0, { epoch: 1, loss: '-', dev }),
    step: (info) => bar.update(info.step, { epoch: info.epoch, loss: info.loss.toFixed(4), dev }),
    epoch: (info) => {
      if (info.dev) dev = `${(info.dev.score * 100).toFixed(1)}%${info.best ? '*' : ''}`;
      bar.update({ dev });
    },
    stop: () => bar.stop(),
  };
}
