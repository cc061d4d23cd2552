/**
 * The training loop of the joint model (src/nlu/model.ts).
 *
 * One run: split (dev given, or carved from train with the seed), labels, featurizer (fitted on
 * train, or the warm-start parent's), encode and tag every example, then epochs of
 * length-bucketed shuffled batches through the step trainer (forward + loss + backward + AdamW
 * with clipping in one ONNX graph), with linear warm-up and cosine or linear decay. After each
 * epoch the forward graph is exported and scored on dev; the best epoch's weights are kept and
 * training stops after `patience` epochs without improvement (never in the first `earliestStop`
 * share of the epochs). Last, calibration on dev:
 * temperature scaling and the out-of-scope threshold (calibration.ts).
 *
 * Determinism: every random choice (dev split, initial weights, batch order, dropout masks,
 * feature dropout) comes from one seeded generator, forked per purpose; the same seed, data and
 * settings give bit-identical weights.
 *
 * Cancellation: the AbortSignal is checked before every step; an aborted run releases its
 * session and throws ParleyError('TRAINING_CANCELLED'). Nothing is written to disk here.
 */
import * as ort from 'onnxruntime-node';
import { ParleyError } from '../core/errors.js';
import { logger, type Logger } from '../core/log.js';
import type { Example, LookupTable, RegexFeature } from '../data/example.js';
import { evaluate, type EvalItem } from '../eval/metrics.js';
import { MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, sha256Hex } from '../nlu/artifact.js';
import type { LoadedArtifact, ModelArtifact, NluManifest } from '../nlu/artifact.js';
import { buildTags } from '../nlu/decode.js';
import {
  featureIdsTensor,
  forwardBatch,
  forwardLayoutOf,
  packBatch,
  type InputShape,
} from '../nlu/encode.js';
import { predictEntities } from '../nlu/runtime.js';
import { Featurizer, type Encoded, type FeaturizerConfig } from '../nlu/featurize.js';
import {
  buildForwardGraph,
  buildTrainingGraph,
  exportWeights,
  initialParams,
  MODEL_DEFAULTS,
  noDecayParams,
  type ModelConfig,
  type ModelSpec,
} from '../nlu/model.js';
import { checkDevice, createInferenceSession, type Device } from '../nlu/session.js';
import { exportForward } from './graph/export.js';
import { createStepTrainer, type StepTrainer } from './step-trainer.js';
import { HostTable, type SparseBatch } from './host-table.js';
import { evalBatches, lengthBatches } from './batching.js';
import { chooseThreshold, fitTemperature, softmaxInto } from './calibration.js';
import {
  createProgress,
  type EpochProgress,
  type ProgressMode,
  type ProgressReporter,
} from './progress.js';
import { createRng, type Rng } from './rng.js';
import { learningRateAt } from './schedule.js';
import { EntitySwapper } from './entity-swap.js';
import { carveDev, dataHash, labelsOf, tagTokens } from './training-data.js';
import { growParams } from './warm-start.js';

export interface TrainConfig {
  /** Most epochs to run (>= 1); early stopping usually ends sooner. */
  epochs: number;
  /** Examples per step (>= 1). */
  batchSize: number;
  /** Peak learning rate after warm-up. 1e-4..1e-2. */
  learningRate: number;
  /** Share of all steps spent warming up linearly from 0, 0..0.5. */
  warmupFraction: number;
  /** Shape of the decay after warm-up. */
  decay: 'linear' | 'cosine';
  /** Learning rate at the end, as a fraction of the peak, 0..1. */
  lrFloor: number;
  /** AdamW decoupled weight decay per unit of learning rate (matrices only), 0..0.1. */
  weightDecay: number;
  /** Clip the global gradient L2 norm to this (> 0). */
  clipNorm: number;
  /** AdamW moment decays and epsilon. */
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Epochs without a better dev score before stopping (>= 1). */
  patience: number;
  /**
   * Share of `epochs` that always run before early stopping may end a run, 0..1. A small dev set
   * scores noisily, and an early lucky epoch would otherwise stop a run while the learning rate
   * is still high, keeping an undertrained model.
   */
  earliestStop: number;
  /**
   * Also score the average of the weights at the end of the last N epochs on dev, and keep it
   * when it beats every single epoch (0 or 1: off). Averaging the end points of a decaying
   * schedule lands in a flatter spot than any one of them.
   */
  averageEpochs: number;
  /**
   * Chance, per entity mention and epoch, that a training example's mention is replaced by
   * another mention of the same type from the training data (entity-swap.ts), 0..1; 0 is off.
   */
  entitySwap: number;
  /** Share of train carved off as dev when no dev set is given, 0..0.5 (0: no dev). */
  devFraction: number;
  /** Seed of every random choice in the run. */
  seed: number;
  /** Weight of the entity loss against the intent loss (>= 0). */
  entityLossWeight: number;
  /** Label smoothing of the intent loss, 0..0.3. */
  labelSmoothing: number;
  /**
   * Intent class weights ∝ count^-power: 0 weighs every example alike, 1 every intent alike.
   * 0..1; a middle value helps rare intents without giving up accuracy on common ones.
   */
  classWeightPower: number;
}

export const TRAIN_DEFAULTS: Readonly<TrainConfig> = Object.freeze({
  epochs: 40,
  batchSize: 32,
  learningRate: 3e-3,
  warmupFraction: 0.05,
  decay: 'cosine',
  lrFloor: 0.02,
  weightDecay: 0.01,
  clipNorm: 1,
  beta1: 0.9,
  beta2: 0.98,
  epsilon: 1e-8,
  patience: 10,
  earliestStop: 0.5,
  averageEpochs: 0,
  entitySwap: 0,
  devFraction: 0.1,
  seed: 1,
  entityLossWeight: 1,
  labelSmoothing: 0,
  classWeightPower: 0.25,
});

export interface TrainOptions {
  train: readonly Example[];
  /** Dev examples for early stopping and calibration; carved from train when absent. */
  dev?: readonly Example[];
  /** The intent that means "none of the others"; `out_of_scope` by default. */
  outOfScopeIntent?: string;
  /** Lower-cased mention to canonical value, stored with the model. */
  synonyms?: Record<string, string>;
  regexes?: RegexFeature[];
  lookups?: LookupTable[];
  training?: Partial<TrainConfig>;
  model?: Partial<ModelConfig>;
  featurizer?: Partial<FeaturizerConfig>;
  device?: Device;
  signal?: AbortSignal;
  progress?: ProgressMode;
  logger?: Logger;
  /**
   * Continue from a trained model: its featurizer and weights are reused, its labels kept in
   * order, and the heads grown for new intents and entity types (warm-start.ts).
   */
  warmStart?: LoadedArtifact;
  /** Version string for the new model; derived from the time and the checksum when absent. */
  version?: string;
  /** Called after every epoch with its losses and dev scores (for run logs). */
  onEpoch?: (progress: EpochProgress) => void;
}

export interface TrainResult {
  artifact: ModelArtifact;
  history: EpochRecord[];
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  devIntentAccuracy?: number;
  devEntityF1?: number;
  devScore?: number;
  /** Dev score of the average of this and the previous epochs' weights (averageEpochs). */
  devScoreAveraged?: number;
}

/** An example ready for batching: its encoding, its labels as ids, and the example itself. */
export interface Prepared {
  encoded: Encoded;
  intent: number;
  tags: Int32Array;
  example: Example;
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const started = Date.now();
  const config = { ...TRAIN_DEFAULTS, ...options.training };
  const log = options.logger ?? logger('train');
  const rng = createRng(config.seed);
  const device = options.device ?? 'cpu';
  const outOfScopeIntent = options.outOfScopeIntent ?? 'out_of_scope';
  checkConfig(config, options);
  checkDevice(device);

  // split and labels
  const split = splitData(options, config, rng.fork('dev'));
  const labels = chooseLabels(split.train, options.warmStart);
  const featurizer =
    options.warmStart?.featurizer ??
    Featurizer.fit(
      split.train.map((e) => e.text),
      options.featurizer,
      { regexes: options.regexes, lookups: options.lookups },
    );
  const modelConfig = chooseModelConfig(options, featurizer);
  const spec: ModelSpec = {
    config: modelConfig,
    featureCount: featurizer.featureCount,
    featuresPerToken: featurizer.config.maxFeaturesPerToken,
    intentCount: labels.intents.length,
    tagCount: labels.tags.length,
  };

  const inputShape = {
    featuresPerToken: spec.featuresPerToken,
    localWindow: spec.config.localWindow,
  };

  // encode
  const trainSet = prepare(split.train, featurizer, labels, log, 'train');
  const devSet = prepare(split.dev, featurizer, labels, log, 'dev').filter((p) => p.intent >= 0);
  const classWeights = intentClassWeights(trainSet, labels.intents.length, config.classWeightPower);

  // parameters and graphs
  const fresh = initialParams(spec, rng.fork('init'));
  const params = options.warmStart ? growParams(fresh, spec, options.warmStart, labels) : fresh;
  const trainingGraph = buildTrainingGraph(spec, params, {
    entityLossWeight: config.entityLossWeight,
    labelSmoothing: config.labelSmoothing,
  });
  const forward = buildForwardGraph(spec, params);
  const noDecay = new Set(noDecayParams(spec));
  const hostTables = await Promise.all(
    [...trainingGraph.sparse].map(async ([name, { table: input, bag }]) => {
      const width = input.shape[1] as number;
      const init = params.get(name) as Float32Array;
      const rows = init.length / width;
      const table = await HostTable.create(name, rows, width, init, !noDecay.has(name));
      return { table, input, bag };
    }),
  );
  const trainer = await createStepTrainer({
    graph: trainingGraph.graph,
    loss: trainingGraph.loss,
    optimizer: {
      beta1: config.beta1,
      beta2: config.beta2,
      eps: config.epsilon,
      weightDecay: config.weightDecay,
      clipNorm: config.clipNorm,
    },
    noDecay: (name) => noDecay.has(name),
    hostTables,
    device,
  });

  const exportOnnx = (weights: Map<string, Float32Array>) =>
    exportForward(
      forward.graph,
      { intentLogits: forward.intentLogits, tagLogits: forward.tagLogits },
      exportWeights(weights),
    );

  // epochs
  let loop: LoopResult;
  try {
    loop = await runEpochs({
      trainer,
      trainSet,
      devSet,
      classWeights,
      config,
      spec,
      rng: rng.fork('batches'),
      dropoutSites: trainingGraph.dropoutSites,
      signal: options.signal,
      epochSet:
        config.entitySwap > 0
          ? entitySwapping(trainSet, featurizer, labels, config.entitySwap, rng.fork('swap'))
          : undefined,
      progress: withEpochCallback(createProgress(options.progress ?? 'auto', log), options.onEpoch),
      score: (weights) => scoreDev(exportOnnx(weights), devSet, labels, inputShape, device),
    });
  } finally {
    await trainer.release();
  }

  // export and calibrate
  const onnx = exportOnnx(loop.best);
  const dev = await scoreDev(onnx, devSet, labels, inputShape, device);
  const calibration = calibrate(dev, devSet, labels.intents, outOfScopeIntent);
  const manifest = buildManifest({
    options,
    config,
    modelConfig,
    featurizer,
    labels,
    outOfScopeIntent,
    calibration,
    onnx,
    split,
    loop,
    dev,
    durationMs: Date.now() - started,
    device,
    trainExamples: trainSet.length,
    devExamples: devSet.length,
  });
  log.info(
    {
      event: 'train.calibrated',
      version: manifest.version,
      ...calibration,
      metrics: manifest.metrics,
    },
    'model ready',
  );
  return { artifact: { manifest, onnx }, history: loop.history };
}

function withEpochCallback(
  reporter: ProgressReporter,
  onEpoch: ((progress: EpochProgress) => void) | undefined,
): ProgressReporter {
  if (!onEpoch) return reporter;
  return {
    ...reporter,
    epoch(info) {
      reporter.epoch(info);
      onEpoch(info);
    },
  };
}

// ---- preparation ----

function checkConfig(config: TrainConfig, options: TrainOptions): void {
  const problems: string[] = [];
  if (options.train.length === 0) problems.push('there are no training examples');
  if (!Number.isInteger(config.epochs) || config.epochs < 1) problems.push('epochs must be >= 1');
  if (!Number.isInteger(config.batchSize) || config.batchSize < 1) {
    problems.push('batchSize must be >= 1');
  }
  if (!(config.learningRate > 0)) problems.push('learningRate must be > 0');
  if (!Number.isInteger(config.averageEpochs) || config.averageEpochs < 0) {
    problems.push('averageEpochs must be an integer >= 0');
  }
  // written so that NaN is out of range too
  const inRange = (name: 'earliestStop' | 'entitySwap' | 'devFraction', max: number) => {
    if (!(config[name] >= 0 && config[name] <= max)) problems.push(`${name} must be in 0..${max}`);
  };
  inRange('earliestStop', 1);
  inRange('entitySwap', 1);
  inRange('devFraction', 0.5);
  if (problems.length > 0) {
    throw new ParleyError('DATA_INVALID', `cannot train: ${problems.join('; ')}`);
  }
}

interface Split {
  train: Example[];
  dev: Example[];
  source: 'given' | 'carved' | 'none';
}

function splitData(options: TrainOptions, config: TrainConfig, rng: Rng): Split {
  if (options.dev && options.dev.length > 0) {
    return { train: [...options.train], dev: [...options.dev], source: 'given' };
  }
  if (config.devFraction === 0) return { train: [...options.train], dev: [], source: 'none' };
  const carved = carveDev(options.train, config.devFraction, rng);
  return { ...carved, source: carved.dev.length > 0 ? 'carved' : 'none' };
}

export interface Labels {
  intents: string[];
  tags: string[];
  intentIds: Map<string, number>;
  tagIds: Map<string, number>;
}

/** Sorted labels of the data; a warm start keeps the parent's first, in its order. */
function chooseLabels(trainExamples: readonly Example[], parent?: LoadedArtifact): Labels {
  const found = labelsOf(trainExamples);
  const parentIntents = parent?.manifest.labels.intents ?? [];
  const parentTags = parent?.manifest.labels.tags ?? buildTags([]);
  const parentTypes = new Set(parentTags.filter((t) => t.startsWith('B-')).map((t) => t.slice(2)));
  const intents = [...parentIntents, ...found.intents.filter((i) => !parentIntents.includes(i))];
  const newTypes = found.entityTypes.filter((type) => !parentTypes.has(type));
  const tags = [...parentTags, ...buildTags(newTypes).slice(1)];
  return {
    intents,
    tags,
    intentIds: new Map(intents.map((name, i) => [name, i])),
    tagIds: new Map(tags.map((name, i) => [name, i])),
  };
}

function chooseModelConfig(options: TrainOptions, featurizer: Featurizer): ModelConfig {
  if (options.warmStart) return { ...options.warmStart.manifest.model };
  const config = { ...MODEL_DEFAULTS, ...options.model };
  config.maxPositions = Math.max(config.maxPositions, featurizer.config.maxTokens + 1);
  if (config.hidden % config.heads !== 0) {
    throw new ParleyError(
      'CONFIG_INVALID',
      `model.hidden (${config.hidden}) must be a multiple of model.heads (${config.heads})`,
    );
  }
  if (config.tagWindow && config.localWindow === 0) {
    throw new ParleyError('CONFIG_INVALID', 'model.tagWindow needs a model.localWindow above 0');
  }
  return config;
}

function prepare(
  examples: readonly Example[],
  featurizer: Featurizer,
  labels: Labels,
  log: Logger,
  part: string,
): Prepared[] {
  let misaligned = 0;
  let dropped = 0;
  const prepared = examples.map((example) => {
    const { item, tagged } = prepareOne(example, featurizer, labels);
    misaligned += tagged.misaligned;
    dropped += tagged.dropped;
    return item;
  });
  if (misaligned > 0 || dropped > 0) {
    log.warn(
      { event: 'train.alignment', part, misaligned, dropped },
      'some entity spans do not line up with token boundaries',
    );
  }
  return prepared;
}

/** One example encoded and tagged; `tagged` counts its spans that do not match tokens. */
export function prepareOne(
  example: Example,
  featurizer: Featurizer,
  labels: Labels,
): { item: Prepared; tagged: { misaligned: number; dropped: number } } {
  const encoded = featurizer.encode(example.text);
  const tagged = tagTokens(encoded.tokens, example.entities, labels.tagIds);
  const intent = labels.intentIds.get(example.intent) ?? -1;
  return { item: { encoded, intent, tags: tagged.tags, example }, tagged };
}

/**
 * The training set of one epoch with entity swapping (entity-swap.ts): swapped examples are
 * encoded again, the others reused. Mentions are drawn from the training examples only. A swap
 * whose spans no longer match the tokens is undone: "5€" with "euro" drawn for "€" reads as one
 * token "5euro", which would teach one tag for two entities.
 */
export function entitySwapping(
  trainSet: readonly Prepared[],
  featurizer: Featurizer,
  labels: Labels,
  rate: number,
  rng: Rng,
): () => Prepared[] {
  const swapper = EntitySwapper.fromExamples(trainSet.map((item) => item.example));
  return () =>
    trainSet.map((item) => {
      const swapped = swapper.swap(item.example, rate, rng);
      if (!swapped) return item;
      const { item: prepared, tagged } = prepareOne(swapped, featurizer, labels);
      return tagged.misaligned > 0 || tagged.dropped > 0 ? item : prepared;
    });
}

/** Per-intent weights ∝ count^-power, scaled so the average example weighs 1. */
function intentClassWeights(
  set: readonly Prepared[],
  classes: number,
  power: number,
): Float32Array {
  const counts = new Float64Array(classes);
  for (const item of set) counts[item.intent]++;
  const weights = new Float32Array(classes);
  let total = 0;
  for (let c = 0; c < classes; c++) {
    weights[c] = counts[c] > 0 ? Math.pow(counts[c], -power) : 0;
    total += weights[c] * counts[c];
  }
  const scale = set.length / Math.max(total, 1e-12);
  for (let c = 0; c < classes; c++) weights[c] *= scale;
  return weights;
}

// ---- the loop ----

interface LoopInput {
  trainer: StepTrainer;
  trainSet: Prepared[];
  devSet: Prepared[];
  classWeights: Float32Array;
  config: TrainConfig;
  spec: ModelSpec;
  rng: Rng;
  dropoutSites: string[];
  signal?: AbortSignal;
  progress: ProgressReporter;
  /** A new training set for each epoch (entity swapping); the same set every epoch when absent. */
  epochSet?: () => Prepared[];
  score: (weights: Map<string, Float32Array>) => Promise<DevScores>;
}

interface LoopResult {
  best: Map<string, Float32Array>;
  bestEpoch: number;
  /** How many epochs' weights `best` averages (1: the weights of `bestEpoch` alone). */
  bestAveraged: number;
  epochs: number;
  steps: number;
  history: EpochRecord[];
}

async function runEpochs(input: LoopInput): Promise<LoopResult> {
  const { trainer, devSet, config, progress } = input;
  const lengthsOf = (set: readonly Prepared[]) => set.map((item) => item.encoded.length);
  let trainSet = input.trainSet;
  let lengths = lengthsOf(trainSet);
  const stepsPerEpoch = Math.ceil(trainSet.length / config.batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  const schedule = {
    peak: config.learningRate,
    warmupSteps: Math.max(1, Math.round(totalSteps * config.warmupFraction)),
    totalSteps,
    decay: config.decay,
    floor: config.lrFloor,
  };
  const history: EpochRecord[] = [];
  let best = trainer.params();
  let bestEpoch = 0;
  let bestAveraged = 1;
  const recent: Map<string, Float32Array>[] = [];
  let bestScore = -Infinity;
  let step = 0;
  progress.start({ epochs: config.epochs, totalSteps, train: trainSet.length, dev: devSet.length });
  const started = Date.now();

  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    if (input.epochSet) {
      trainSet = input.epochSet();
      lengths = lengthsOf(trainSet);
    }
    let lossSum = 0;
    for (const batch of lengthBatches(lengths, config.batchSize, input.rng)) {
      throwIfAborted(input.signal);
      const { feeds, sparse } = trainingFeeds(
        batch.map((i) => trainSet[i]),
        input,
      );
      const lr = learningRateAt(step, schedule);
      const result = await trainer.step(feeds, lr, sparse);
      if (!Number.isFinite(result.loss)) {
        throw new ParleyError(
          'DATA_INVALID',
          `training diverged at epoch ${epoch}, step ${step + 1} (loss ${result.loss}); ` +
            'lower the learning rate',
        );
      }
      lossSum += result.loss;
      step++;
      progress.step({ epoch, step, totalSteps, loss: result.loss, learningRate: lr });
    }

    const record: EpochRecord = { epoch, trainLoss: lossSum / stepsPerEpoch };
    const weights = trainer.params();
    let improved = devSet.length === 0;
    if (devSet.length > 0) {
      const dev = await input.score(weights);
      Object.assign(record, {
        devIntentAccuracy: dev.intentAccuracy,
        devEntityF1: dev.entityF1,
        devScore: dev.score,
      });
      improved = dev.score > bestScore;
      if (improved) bestScore = dev.score;
    }
    if (improved) {
      best = weights;
      bestEpoch = epoch;
      bestAveraged = 1;
    }
    const averaged = await averageOfRecent(recent, weights, config.averageEpochs, input, devSet);
    if (averaged) {
      record.devScoreAveraged = averaged.score;
      if (averaged.score > bestScore) {
        [best, bestScore, bestEpoch, bestAveraged] = [
          averaged.weights,
          averaged.score,
          epoch,
          recent.length,
        ];
        improved = true;
      }
    }
    history.push(record);
    progress.epoch({
      epoch,
      epochs: config.epochs,
      steps: step,
      trainLoss: record.trainLoss,
      dev:
        record.devScore === undefined
          ? undefined
          : {
              intentAccuracy: record.devIntentAccuracy as number,
              entityF1: record.devEntityF1 as number,
              score: record.devScore,
            },
      devScoreAveraged: record.devScoreAveraged,
      best: improved,
      elapsedMs: Date.now() - started,
    });
    const mayStop = epoch >= config.earliestStop * config.epochs;
    if (mayStop && epoch - bestEpoch >= config.patience) break;
  }
  progress.stop({ epochs: history.length, steps: step, bestEpoch, bestScore });
  return { best, bestEpoch, bestAveraged, epochs: history.length, steps: step, history };
}

/**
 * Keeps the last `count` epochs' weights in `recent` and, once it holds that many, scores their
 * element-wise mean on dev. Undefined while averaging is off or the window is not full yet.
 */
async function averageOfRecent(
  recent: Map<string, Float32Array>[],
  weights: Map<string, Float32Array>,
  count: number,
  input: LoopInput,
  devSet: readonly Prepared[],
): Promise<{ weights: Map<string, Float32Array>; score: number } | undefined> {
  if (count <= 1 || devSet.length === 0) return undefined;
  recent.push(weights);
  if (recent.length > count) recent.shift();
  if (recent.length < count) return undefined;
  const mean = new Map<string, Float32Array>();
  for (const name of weights.keys()) {
    const sum = new Float32Array(weights.get(name)!.length);
    for (const snapshot of recent) {
      const values = snapshot.get(name)!;
      for (let i = 0; i < sum.length; i++) sum[i] += values[i];
    }
    for (let i = 0; i < sum.length; i++) sum[i] /= recent.length;
    mean.set(name, sum);
  }
  return { weights: mean, score: (await input.score(mean)).score };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new ParleyError('TRAINING_CANCELLED', 'training was cancelled; no model was produced', {
      cause: signal.reason,
    });
  }
}

/** Inputs of one training step (layouts in model.ts), and the sparse ids of the feature bags. */
function trainingFeeds(
  items: Prepared[],
  input: LoopInput,
): { feeds: Record<string, ort.Tensor>; sparse: SparseBatch } {
  const { spec, rng } = input;
  const packed = packBatch(
    items.map((item) => item.encoded),
    {
      featuresPerToken: spec.featuresPerToken,
      slotWeights: true,
      featureDropout: { rate: spec.config.featureDropout, rng },
      tokenDropout: spec.config.tokenDropout,
    },
  );
  const { batch, rows } = packed;
  const k = spec.featuresPerToken;

  const intentLabels = new BigInt64Array(batch);
  const intentWeights = new Float32Array(batch);
  const tagLabels = new BigInt64Array(batch * rows);
  const tagWeights = new Float32Array(batch * rows);
  items.forEach((item, b) => {
    intentLabels[b] = BigInt(item.intent);
    intentWeights[b] = input.classWeights[item.intent];
    item.tags.forEach((tag, t) => {
      // Row t + 1: row 0 is __CLS__, whose tag is the intent, not a BIO tag.
      tagLabels[b * rows + t + 1] = BigInt(tag);
      tagWeights[b * rows + t + 1] = 1;
    });
  });

  const feeds: Record<string, ort.Tensor> = {
    featureIds: featureIdsTensor(packed),
    featureWeights: new ort.Tensor('float32', packed.featureWeights, [batch, rows, k]),
    tokenMask: new ort.Tensor('float32', packed.tokenMask, [batch, rows]),
    positions: new ort.Tensor('int64', packed.positions, [rows]),
    intentLabels: new ort.Tensor('int64', intentLabels, [batch]),
    intentWeights: new ort.Tensor('float32', intentWeights, [batch]),
    tagLabels: new ort.Tensor('int64', tagLabels, [batch, rows]),
    tagWeights: new ort.Tensor('float32', tagWeights, [batch, rows]),
  };
  const hidden = spec.config.hidden;
  for (const site of input.dropoutSites) {
    feeds[site] = new ort.Tensor(
      'float32',
      dropoutMask(batch * rows * hidden, spec.config.dropout, rng),
      [batch, rows, hidden],
    );
  }
  const sparse = { batch, rows, slots: k, ids: packed.featureIds, weights: packed.featureWeights };
  return { feeds, sparse };
}

/**
 * Inverted dropout: each unit is 0 with chance `rate`, else 1 / (1 - rate). One 32-bit draw
 * decides two units, 16 bits each (the rate is exact to 1/65536): masks take hundreds of
 * thousands of draws per step.
 */
export function dropoutMask(size: number, rate: number, rng: Rng): Float32Array {
  const bits = new Uint32Array((size + 1) >> 1);
  rng.fillBits(bits);
  const threshold = Math.round(rate * 65536);
  const keep = 1 / (1 - rate);
  const mask = new Float32Array(size);
  // Two units per draw, low half first; the array starts at 0, so only kept units are written.
  const pairs = size >> 1;
  for (let j = 0; j < pairs; j++) {
    const draw = bits[j];
    if ((draw & 0xffff) >= threshold) mask[2 * j] = keep;
    if (draw >>> 16 >= threshold) mask[2 * j + 1] = keep;
  }
  if (size & 1 && (bits[pairs] & 0xffff) >= threshold) mask[size - 1] = keep;
  return mask;
}

// ---- dev scoring and calibration ----

interface DevScores {
  intentAccuracy: number;
  entityF1: number;
  /** What early stopping maximises: the mean of intent accuracy and entity F1 (when the data
   * has entity types), else intent accuracy. */
  score: number;
  /** Intent logits `[dev, intents]` in dev order. */
  intentLogits: Float32Array;
  items: EvalItem[];
}

async function scoreDev(
  onnx: Uint8Array,
  devSet: readonly Prepared[],
  labels: Labels,
  shape: InputShape,
  device: Device,
): Promise<DevScores> {
  const classes = labels.intents.length;
  const intentLogits = new Float32Array(devSet.length * classes);
  const items: EvalItem[] = new Array(devSet.length);
  if (devSet.length === 0)
    return { intentAccuracy: 0, entityF1: 0, score: 0, intentLogits, items: [] };

  const session = await createInferenceSession(onnx, { device });
  try {
    for (const batch of evalBatches(
      devSet.map((p) => p.encoded.length),
      64,
    )) {
      const packed = forwardBatch(
        batch.map((i) => devSet[i].encoded),
        shape,
        forwardLayoutOf(MANIFEST_FORMAT_VERSION),
      );
      const out = await session.run(packed.inputs);
      const intents = out.intentLogits.data as Float32Array;
      const tags = out.tagLogits.data as Float32Array;
      batch.forEach((index, b) => {
        intentLogits.set(intents.subarray(b * classes, (b + 1) * classes), index * classes);
        items[index] = devItem(devSet[index], intents, tags, b, packed.firstRow[b], labels);
      });
    }
  } finally {
    await session.release();
  }

  const evaluation = evaluate(items);
  const hasEntities = labels.tags.length > 1;
  const entityF1 = evaluation.entities.f1;
  const intentAccuracy = evaluation.intent.accuracy;
  const score = hasEntities ? (intentAccuracy + entityF1) / 2 : intentAccuracy;
  return { intentAccuracy, entityF1, score, intentLogits, items };
}

function devItem(
  item: Prepared,
  intentLogits: Float32Array,
  tagLogits: Float32Array,
  b: number,
  firstRow: number,
  labels: Labels,
): EvalItem {
  const classes = labels.intents.length;
  let top = 0;
  for (let c = 1; c < classes; c++) {
    if (intentLogits[b * classes + c] > intentLogits[b * classes + top]) top = c;
  }
  const entities = predictEntities(
    item.example.text,
    item.encoded,
    tagLogits,
    firstRow * labels.tags.length,
    labels.tags,
    {},
  );
  return {
    text: item.example.text,
    gold: { intent: item.example.intent, entities: item.example.entities },
    predicted: { intent: labels.intents[top], entities },
  };
}

interface Calibration {
  temperature: number;
  threshold: number;
  criterion: string;
  devMacroF1: number;
  devMacroF1WithoutThreshold: number;
}

function calibrate(
  dev: DevScores,
  devSet: readonly Prepared[],
  intents: readonly string[],
  outOfScopeIntent: string,
): Calibration {
  const classes = intents.length;
  const labels = Int32Array.from(devSet.map((p) => p.intent));
  const temperature = fitTemperature(dev.intentLogits, labels, classes);

  const confidences = new Float64Array(devSet.length);
  const predicted = new Int32Array(devSet.length);
  const probs = new Float64Array(classes);
  for (let i = 0; i < devSet.length; i++) {
    softmaxInto(dev.intentLogits, i * classes, classes, temperature, probs);
    let top = 0;
    for (let c = 1; c < classes; c++) if (probs[c] > probs[top]) top = c;
    predicted[i] = top;
    confidences[i] = probs[top];
  }
  const oosClass = intents.indexOf(outOfScopeIntent);
  const choice = chooseThreshold(confidences, predicted, labels, classes, oosClass);
  const hasOos = oosClass >= 0 && labels.includes(oosClass);
  const criterion = hasOos
    ? `maximises dev macro-F1 over intents with ${outOfScopeIntent} as a class`
    : `no threshold: dev has no ${outOfScopeIntent} examples to trade off against`;
  return {
    temperature,
    threshold: choice.threshold,
    criterion,
    devMacroF1: choice.macroF1,
    devMacroF1WithoutThreshold: choice.macroF1WithoutThreshold,
  };
}

// ---- manifest ----

interface ManifestInput {
  options: TrainOptions;
  config: TrainConfig;
  modelConfig: ModelConfig;
  featurizer: Featurizer;
  labels: Labels;
  outOfScopeIntent: string;
  calibration: Calibration;
  onnx: Uint8Array;
  split: Split;
  loop: LoopResult;
  dev: DevScores;
  durationMs: number;
  device: Device;
  trainExamples: number;
  devExamples: number;
}

function buildManifest(input: ManifestInput): NluManifest {
  const { calibration, onnx, loop, dev } = input;
  const createdAt = new Date().toISOString();
  const sha256 = sha256Hex(onnx);
  const version =
    input.options.version ?? `${createdAt.replace(/[-:]/g, '').slice(0, 15)}-${sha256.slice(0, 8)}`;
  const metrics: Record<string, number> = {
    devIntentAccuracy: dev.intentAccuracy,
    devEntityF1: dev.entityF1,
    devMacroF1: calibration.devMacroF1,
    devMacroF1WithoutThreshold: calibration.devMacroF1WithoutThreshold,
  };
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_FORMAT_VERSION,
    version,
    parentVersion: input.options.warmStart?.manifest.version ?? null,
    createdAt,
    labels: { intents: input.labels.intents, tags: input.labels.tags },
    outOfScopeIntent: input.outOfScopeIntent,
    featurizer: input.featurizer.toJSON(),
    model: input.modelConfig,
    calibration: {
      temperature: calibration.temperature,
      threshold: calibration.threshold,
      criterion: calibration.criterion,
    },
    synonyms: {
      ...(input.options.warmStart?.manifest.synonyms ?? {}),
      ...lowerKeys(input.options.synonyms ?? {}),
    },
    training: {
      dataHash: dataHash(input.split.train, input.split.dev),
      trainExamples: input.trainExamples,
      devExamples: input.devExamples,
      devSource: input.split.source,
      seed: input.config.seed,
      epochs: loop.epochs,
      bestEpoch: loop.bestEpoch,
      averagedEpochs: loop.bestAveraged,
      steps: loop.steps,
      durationMs: input.durationMs,
      device: input.device,
      config: { ...input.config },
    },
    metrics,
    onnx: { file: 'model.onnx', sha256, bytes: onnx.byteLength },
  };
}

function lowerKeys(synonyms: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(synonyms).map(([k, v]) => [k.toLowerCase(), v]));
}
