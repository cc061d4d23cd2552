/**
 * Settings of the shipped default model (models/default/model), read by the script that trains
 * it (train-default.ts) and by benchmarks that train the same model. A module of its own because
 * those scripts run when imported.
 */
import type { TrainOptions } from '../src/train/trainer.js';

export const DEFAULT_MODEL_SETTINGS: Pick<TrainOptions, 'featurizer' | 'training'> = {
  // 4,096 buckets (instead of 32,768) for hashed n-grams: the shop vocabulary is small, and the
  // feature table is most of the artifact's size.
  featurizer: { hashBuckets: 4096 },
  training: { seed: 20240611 },
};
