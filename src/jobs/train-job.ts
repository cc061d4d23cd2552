import type { Example } from '../data/example.js';
import type { ModelArtifact } from '../nlu/artifact.js';
import type { ModelConfig } from '../nlu/model.js';
import type { Device } from '../nlu/session.js';
import type { TrainConfig } from '../train/trainer.js';

/**
 * One candidate training, as sent to the training process: plain data, so it crosses the process
 * boundary by structured clone (Uint8Array included).
 */
export interface TrainJob {
  train: Example[];
  /** The model to continue from (the active one); its featurizer and weights are reused. */
  warmStart: ModelArtifact;
  training: Partial<TrainConfig>;
  /** Only for a cold start (no warm start); ignored otherwise. */
  model?: Partial<ModelConfig>;
  outOfScopeIntent: string;
  synonyms: Record<string, string>;
  /** The trainer's name for the artifact; the registry names it v<n> once stored. */
  version: string;
  device: Device;
}

export interface TrainJobResult {
  artifact: ModelArtifact;
  /** Wall-clock seconds of training alone (not the process start). */
  seconds: number;
}

/** One progress line from the trainer: pino's JSON object (event train.start/epoch/done). */
export type TrainEvent = Record<string, unknown> & { event?: string; msg?: string };

export interface TrainRunOptions {
  signal?: AbortSignal;
  onEvent?: (event: TrainEvent) => void;
}

/** Trains a candidate; the retraining job's one port to training (a child process in production). */
export type CandidateTrainer = (job: TrainJob, options: TrainRunOptions) => Promise<TrainJobResult>;

/** Messages of the training process protocol. */
export type ToWorker = { type: 'job'; job: TrainJob };
export type FromWorker =
  | { type: 'event'; event: TrainEvent }
  | { type: 'result'; result: TrainJobResult }
  | { type: 'error'; code: string; message: string };
