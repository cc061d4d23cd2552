/**
 * The NLU runtime: a loaded model artifact on an onnxruntime InferenceSession.
 *
 * - `predict(text)` and `predictBatch(texts)`. A batch is split into runs of similar length; each
 *   run's linear layers work on its real rows only (model.ts, "packed"), while attention reads a
 *   view padded to the run's longest message. Models of manifest format 1 take padded inputs.
 * - Empty or separator-only text (no tokens: "", "   ", "\n\t", "\u200b") returns the
 *   out-of-scope intent with confidence 1 and no entities, without running the session.
 * - Input limit: the featurizer reads at most `maxTokens` tokens (64 by default). Longer text is
 *   cut to that prefix: the intent is still predicted from it, entities come only from it, and
 *   the prediction says `truncated: true`.
 * - Out-of-scope: when the calibrated top confidence is below the manifest's threshold, the
 *   intent is the out-of-scope intent with confidence 1 - top; the ranking keeps the model's
 *   own probabilities.
 * - Concurrency: every call builds its own input tensors and reads only its own outputs, so
 *   concurrent calls and model swaps are safe. onnxruntime-node runs a session synchronously on
 *   the calling thread (checked against 1.30), so calls do not overlap in one engine; `threads`
 *   spreads one run over several cores, and `workers` (worker-pool.ts) runs several engines in
 *   worker threads side by side. `release()` waits for runs in flight.
 */
import type ort from 'onnxruntime-node';
import { ParleyError } from '../core/errors.js';
import { softmaxAt, softmaxInto } from '../train/calibration.js';
import { checkArtifact, loadArtifact, type LoadedArtifact, type NluManifest } from './artifact.js';
import { constrainedViterbi, entityTypesOf, pathToEntities } from './decode.js';
import {
  forwardBatch,
  forwardLayoutOf,
  type ForwardBatch,
  type ForwardLayout,
  type InputShape,
} from './encode.js';
import type { Encoded, Featurizer } from './featurize.js';
import type { ModelArtifact } from './artifact.js';
import { createInferenceSession, type Device } from './session.js';
import type { IntentScore, NluEngine, PredictedEntity, Prediction } from './types.js';

export interface NluEngineOptions {
  device?: Device;
  /**
   * ORT intra-op threads per run; 1 by default: one message is too small to split across
   * threads. Large batches gain from more (measured in scripts/bench-nlu.ts); 0 lets ORT choose.
   */
  threads?: number;
  /**
   * Worker threads that `predictBatch` spreads its messages over (worker-pool.ts), each with its
   * own session on `threads` intra-op threads; 1 (the default) predicts on the calling thread.
   * More than one pays for itself on many messages at once (evaluation), not on one message at
   * a time.
   */
  workers?: number;
}

export interface LoadedNluEngine extends NluEngine {
  readonly manifest: NluManifest;
  /** Waits for runs in flight, then frees the session. Later calls throw. */
  release(): Promise<void>;
}

export async function loadNluEngine(
  dir: string,
  options: NluEngineOptions = {},
): Promise<LoadedNluEngine> {
  return createNluEngine(await loadArtifact(dir), options);
}

/** An engine over an artifact in memory (checked first unless it is a LoadedArtifact). */
export async function createNluEngine(
  artifact: ModelArtifact | LoadedArtifact,
  options: NluEngineOptions = {},
): Promise<LoadedNluEngine> {
  const loaded = 'featurizer' in artifact ? artifact : checkArtifact(artifact);
  const workers = options.workers ?? 1;
  if (workers !== 1) {
    // Loaded only when asked for: the pool's worker threads load this module themselves.
    const { createWorkerPoolEngine } = await import('./worker-pool.js');
    return createWorkerPoolEngine(loaded, { ...options, workers });
  }
  const session = await createInferenceSession(loaded.onnx, {
    device: options.device,
    threads: options.threads ?? 1,
  });
  const engine = new SessionEngine(loaded, session);
  await engine.selfCheck();
  return engine;
}

/**
 * What every engine tells about its model, read from the manifest, and `predict` as a batch of
 * one; the in-process engine below and the worker pool (worker-pool.ts) differ in the rest.
 */
export abstract class ManifestEngine implements LoadedNluEngine {
  readonly version: string;
  readonly intents: readonly string[];
  readonly entityTypes: readonly string[];
  readonly outOfScopeIntent: string;
  readonly threshold: number;

  constructor(readonly manifest: NluManifest) {
    this.version = manifest.version;
    this.intents = Object.freeze([...manifest.labels.intents]);
    this.entityTypes = Object.freeze(entityTypesOf(manifest.labels.tags));
    this.outOfScopeIntent = manifest.outOfScopeIntent;
    this.threshold = manifest.calibration.threshold;
  }

  async predict(text: string): Promise<Prediction> {
    const [prediction] = await this.predictBatch([text]);
    return prediction;
  }

  abstract predictBatch(texts: readonly string[]): Promise<Prediction[]>;
  abstract release(): Promise<void>;
}

/** Raw model outputs for one packed batch. */
export interface RawOutputs {
  intentLogits: Float32Array;
  tagLogits: Float32Array;
}

class SessionEngine extends ManifestEngine {
  private readonly featurizer: Featurizer;
  private readonly layout: ForwardLayout;
  private readonly inputShape: InputShape;
  private readonly tags: readonly string[];
  private readonly temperature: number;
  private inFlight = 0;
  private released = false;
  private drained: (() => void) | undefined;

  constructor(
    artifact: LoadedArtifact,
    private readonly session: ort.InferenceSession,
  ) {
    super(artifact.manifest);
    const { manifest } = artifact;
    this.tags = Object.freeze([...manifest.labels.tags]);
    this.temperature = manifest.calibration.temperature;
    this.featurizer = artifact.featurizer;
    this.layout = forwardLayoutOf(manifest.formatVersion);
    this.inputShape = {
      featuresPerToken: this.featurizer.config.maxFeaturesPerToken,
      localWindow: manifest.model.localWindow,
    };
  }

  async predictBatch(texts: readonly string[]): Promise<Prediction[]> {
    this.checkOpen();
    const encoded = texts.map((text) => this.featurizer.encode(text));
    const live: number[] = [];
    const results = new Array<Prediction>(texts.length);
    encoded.forEach((item, i) => {
      if (item.tokens.length > 0) live.push(i);
      else results[i] = this.emptyPrediction(texts[i]);
    });
    if (live.length === 0) return results;

    const runs = lengthGroups(live.map((i) => encoded[i].length)).map(async (group) => {
      const indexes = group.map((g) => live[g]);
      const items = indexes.map((i) => encoded[i]);
      const batch = this.pack(items);
      const outputs = await this.run(batch);
      indexes.forEach((index, b) => {
        results[index] = this.interpret(texts[index], items[b], outputs, b, batch.firstRow[b]);
      });
    });
    await Promise.all(runs);
    return results;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await this.session.release();
  }

  /** Runs a one-token message and checks the output sizes against the labels. */
  async selfCheck(): Promise<void> {
    const hello = this.featurizer.encode('hello');
    const outputs = await this.run(this.pack([hello]));
    const intentWidth = outputs.intentLogits.length;
    const tagWidth = outputs.tagLogits.length / hello.length;
    if (intentWidth !== this.intents.length || tagWidth !== this.tags.length) {
      await this.session.release();
      throw new ParleyError(
        'MODEL_INVALID',
        `model ${this.version}: the graph gives ${intentWidth} intent and ${tagWidth} tag scores, ` +
          `but the manifest lists ${this.intents.length} intents and ${this.tags.length} tags`,
      );
    }
  }

  private pack(items: readonly Encoded[]): ForwardBatch {
    return forwardBatch(items, this.inputShape, this.layout);
  }

  /** One session run; counts itself in flight so `release()` can wait for it. */
  async run(batch: ForwardBatch): Promise<RawOutputs> {
    this.inFlight++;
    try {
      const out = await this.session.run(batch.inputs);
      return {
        intentLogits: out.intentLogits.data as Float32Array,
        tagLogits: out.tagLogits.data as Float32Array,
      };
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && this.drained) this.drained();
    }
  }

  private checkOpen(): void {
    if (this.released) {
      throw new ParleyError('MODEL_INVALID', `model ${this.version} has been released`);
    }
  }

  private emptyPrediction(text: string): Prediction {
    const oos = this.outOfScopeIntent;
    const ranking = [
      { name: oos, confidence: 1 },
      ...this.intents.filter((name) => name !== oos).map((name) => ({ name, confidence: 0 })),
    ];
    return {
      text,
      intent: { name: oos, confidence: 1 },
      ranking,
      entities: [],
      modelVersion: this.version,
      truncated: false,
    };
  }

  private interpret(
    text: string,
    encoded: Encoded,
    outputs: RawOutputs,
    message: number,
    firstRow: number,
  ): Prediction {
    const ranking = predictIntent(outputs.intentLogits, message, this.intents, this.temperature);
    const intent = applyThreshold(ranking, this.threshold, this.outOfScopeIntent);
    const entities = predictEntities(
      text,
      encoded,
      outputs.tagLogits,
      firstRow * this.tags.length,
      this.tags,
      this.manifest.synonyms,
    );
    return {
      text,
      intent,
      ranking,
      entities,
      modelVersion: this.version,
      truncated: encoded.truncated,
    };
  }
}

/** Every intent with its calibrated probability, best first (ties keep label order). */
export function predictIntent(
  logits: Float32Array,
  row: number,
  intents: readonly string[],
  temperature: number,
): IntentScore[] {
  if (intentScratch.length < intents.length) intentScratch = new Float64Array(intents.length);
  const probs = intentScratch;
  softmaxInto(logits, row * intents.length, intents.length, temperature, probs);
  return intents
    .map((name, i) => ({ name, confidence: probs[i] }))
    .sort((a, b) => b.confidence - a.confidence);
}

/**
 * Reused by every predictIntent call (synchronous, so calls never overlap): a typed array of a
 * few hundred bytes lives outside the JS heap, and allocating one per message cost about as much
 * as the softmax.
 */
let intentScratch = new Float64Array(64);

/** The top intent, or the out-of-scope intent when the top confidence is below the threshold. */
export function applyThreshold(
  ranking: readonly IntentScore[],
  threshold: number,
  outOfScopeIntent: string,
): IntentScore {
  const top = ranking[0];
  if (top.confidence >= threshold) return { ...top };
  return { name: outOfScopeIntent, confidence: 1 - top.confidence };
}

/**
 * Entities of one message from its tag logits (rows 1.. are the tokens; row 0 is __CLS__):
 * constrained Viterbi, spans over token offsets, synonyms applied. Viterbi reads the logits as
 * they are: a path takes one tag per row, so normalising a row (log-softmax) shifts every path's
 * score by the same amount and cannot change the best one. (Earlier versions floored the
 * log-probabilities at log 1e-30, which could change a path only where a row's logits spread by
 * more than about 69; the shipped model's widest spread on its test texts is 38.8.) Only the
 * tags of the spans found are turned into probabilities, for their confidence; most rows are `O`
 * and need none.
 */
export function predictEntities(
  text: string,
  encoded: Encoded,
  tagLogits: Float32Array,
  offset: number,
  tags: readonly string[],
  synonyms: Readonly<Record<string, string>>,
): PredictedEntity[] {
  const count = encoded.tokens.length;
  const width = tags.length;
  if (count === 0 || width === 1) return [];

  const firstToken = offset + width;
  const path = constrainedViterbi(tagLogits, count, width, firstToken);
  const entities = pathToEntities(text, encoded.tokens, path, tags, (t, tag) =>
    softmaxAt(tagLogits, firstToken + t * width, width, tag),
  );
  for (const entity of entities) {
    const mention = entity.value.toLowerCase();
    if (Object.hasOwn(synonyms, mention)) entity.normalized = synonyms[mention];
  }
  return entities;
}

/**
 * What one session run costs besides its padded slots, counted in padded slots. A run pays
 * about 0.1 ms for its nodes whatever its size (shipped model, one thread: one 4-row message
 * takes 0.13 ms, 64 messages of 8 rows 3.6 ms, 7 µs a real row); a padded slot (a row of the
 * attention view past a message's end) costs only in the gathers, attention products and
 * softmax, a fraction of a real row. On batches of 64 shop messages, 80 makes 2.9 runs a batch
 * where the greedy cut it replaced (at a quarter of padding) made 4.75. Costs from 80 to 640
 * measured within 0.2 ms a batch of each other (6.9 to 7.1 ms, medians), 40 slower (7.3 ms).
 */
export const RUN_COST_IN_SLOTS = 80;

/** The most messages in one run. */
const MAX_RUN = 64;

/**
 * Splits a batch into runs of similar length, so that short messages are not padded to the
 * longest one and a batch is not cut into many small runs either. Every run is padded to its own
 * longest message (all of it in a format-1 graph, the attention view in a packed one), so a run
 * of `b` messages up to `t` rows costs about RUN_COST_IN_SLOTS + b * t padded slots. Over the
 * lengths in order, the cuts that minimise the sum of those costs are found exactly by dynamic
 * programming (O(n * MAX_RUN)). Returns groups of indexes into `lengths`, shortest first.
 */
export function lengthGroups(lengths: readonly number[]): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  const count = order.length;
  // cost[e]: the cheapest split of the first e messages in order; cut[e]: where its last run starts
  const cost = new Float64Array(count + 1).fill(Infinity);
  const cut = new Int32Array(count + 1);
  cost[0] = 0;
  for (let end = 1; end <= count; end++) {
    const longest = lengths[order[end - 1]];
    for (let start = Math.max(0, end - MAX_RUN); start < end; start++) {
      const total = cost[start] + RUN_COST_IN_SLOTS + (end - start) * longest;
      if (total < cost[end]) {
        cost[end] = total;
        cut[end] = start;
      }
    }
  }
  const groups: number[][] = [];
  for (let end = count; end > 0; end = cut[end]) groups.push(order.slice(cut[end], end));
  return groups.reverse();
}
