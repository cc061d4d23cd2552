/**
 * An NLU engine spread over worker threads, for scoring many messages on several cores.
 *
 * onnxruntime-node runs a session synchronously on the calling thread, and featurising and
 * decoding are JavaScript, so one engine uses one core however many intra-op threads its session
 * has (those help only inside each operator). A pool starts one worker thread per core asked for,
 * each with its own session over the same artifact, and `predictBatch` splits its messages into
 * chunks of 64 that the workers answer side by side. A message's prediction is identical to the
 * in-process engine's on the same chunk of 64; batched with other messages, only the last bits
 * of its confidences can differ (attention pads each run to its longest message).
 *
 * A pool pays for itself on many messages (evaluation, benchmarks); one message at a time goes to
 * one worker and gains nothing. Each worker holds a copy of the model, and two took 0.6 s to start
 * with the shipped model, against 0.03 to 0.08 s for one engine in this thread. Idle workers do
 * not keep the process alive, but `release()` is what frees them.
 */
import { Worker } from 'node:worker_threads';
import { ParleyError, type ErrorCode } from '../core/errors.js';
import type { LoadedArtifact, ModelArtifact } from './artifact.js';
import { ManifestEngine, type LoadedNluEngine } from './runtime.js';
import type { Device } from './session.js';
import type { Prediction } from './types.js';

/** Messages per request to one worker: one predictBatch of the in-process engine's usual size. */
export const POOL_CHUNK = 64;

/** How long a released worker may take to free its session before it is terminated. */
const RELEASE_GRACE_MS = 5_000;

export interface PoolWorkerData {
  artifact: ModelArtifact;
  device: Device;
  threads: number;
}

export type ToPoolWorker =
  { type: 'predict'; id: number; texts: readonly string[] } | { type: 'release' };

/** An error thrown in a worker: its ParleyError code, or none for any other error. */
export interface WorkerFailure {
  code?: ErrorCode;
  message: string;
}

export type FromPoolWorker =
  | { type: 'ready' }
  | { type: 'failed'; error: WorkerFailure }
  | { type: 'result'; id: number; chunk: WireChunk }
  | { type: 'error'; id: number; error: WorkerFailure };

/**
 * A chunk's predictions as they cross threads. Copying every ranking as objects with their
 * intent names between threads cost a quarter of the pool's throughput (shop batches of 64 on
 * two workers: 12,200 messages/s against 16,100 when nothing came back), so the rankings travel
 * as name indexes and confidences, best first, in transferred arrays; the text is the caller's
 * own, and the rest is small.
 */
export interface WireChunk {
  /** Message m's ranking is entries starts[m] .. starts[m + 1]. */
  starts: Uint32Array<ArrayBuffer>;
  /** Per ranking entry: its index in `rankingNames`. */
  names: Uint16Array<ArrayBuffer>;
  confidences: Float64Array<ArrayBuffer>;
  rest: Pick<Prediction, 'intent' | 'entities' | 'modelVersion' | 'truncated'>[];
}

/**
 * Every name a ranking can hold: the model's intents, and the out-of-scope name, which an empty
 * message's ranking lists even when the model was trained without it.
 */
export function rankingNames(intents: readonly string[], outOfScope: string): readonly string[] {
  return intents.includes(outOfScope) ? intents : [...intents, outOfScope];
}

export function toWire(predictions: readonly Prediction[], names: readonly string[]): WireChunk {
  const index = new Map(names.map((name, i) => [name, i]));
  const starts = new Uint32Array(predictions.length + 1);
  predictions.forEach((p, m) => (starts[m + 1] = starts[m] + p.ranking.length));
  const nameIds = new Uint16Array(starts[predictions.length]);
  const confidences = new Float64Array(starts[predictions.length]);
  predictions.forEach((prediction, m) => {
    prediction.ranking.forEach((score, rank) => {
      const id = index.get(score.name);
      if (id === undefined) throw new Error(`ranking names an unknown intent '${score.name}'`);
      nameIds[starts[m] + rank] = id;
      confidences[starts[m] + rank] = score.confidence;
    });
  });
  const rest = predictions.map(({ intent, entities, modelVersion, truncated }) => ({
    intent,
    entities,
    modelVersion,
    truncated,
  }));
  return { starts, names: nameIds, confidences, rest };
}

export function fromWire(
  chunk: WireChunk,
  texts: readonly string[],
  names: readonly string[],
): Prediction[] {
  return chunk.rest.map((rest, m) => {
    const ranking = [];
    for (let at = chunk.starts[m]; at < chunk.starts[m + 1]; at++) {
      ranking.push({ name: names[chunk.names[at]], confidence: chunk.confidences[at] });
    }
    return {
      text: texts[m],
      intent: rest.intent,
      ranking,
      entities: rest.entities,
      modelVersion: rest.modelVersion,
      truncated: rest.truncated,
    };
  });
}

interface Pending {
  texts: readonly string[];
  resolve(predictions: Prediction[]): void;
  reject(err: Error): void;
}

/** One worker thread and the requests it has not answered yet. */
class PoolWorker {
  private readonly pending = new Map<number, Pending>();
  /** Why this worker takes no more requests (crashed, exited or released); undefined while up. */
  private stopped: Error | undefined;
  /** Called when the last pending request is answered (release() waits for it). */
  private onIdle: (() => void) | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly names: readonly string[],
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: FromPoolWorker) => this.receive(message));
    worker.on('error', (err) => this.fail(`failed: ${err.message}`));
    worker.on('exit', (code) => this.fail(`stopped (exit code ${code})`));
    // An idle worker does not keep the process alive; one with requests does (see track()).
    worker.unref();
  }

  /** Starts a worker and waits until its engine has loaded and passed its self-check. */
  static start(data: PoolWorkerData): Promise<PoolWorker> {
    const { labels, outOfScopeIntent } = data.artifact.manifest;
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: data });
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        outcome();
      };
      const onMessage = (message: FromPoolWorker) =>
        settle(() => {
          if (message.type === 'ready') {
            return resolve(new PoolWorker(worker, rankingNames(labels.intents, outOfScopeIntent)));
          }
          void worker.terminate();
          reject(
            asError(
              message.type === 'failed'
                ? message.error
                : { message: `a prediction worker sent '${message.type}' before starting` },
            ),
          );
        });
      const onError = (err: Error) =>
        settle(() =>
          reject(
            new ParleyError(
              'MODEL_INVALID',
              `a prediction worker failed to start: ${err.message}`,
              {
                cause: err,
              },
            ),
          ),
        );
      const onExit = (code: number) =>
        settle(() =>
          reject(
            new ParleyError(
              'MODEL_INVALID',
              `a prediction worker stopped while starting (exit code ${code})`,
            ),
          ),
        );
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  }

  get isUp(): boolean {
    return this.stopped === undefined;
  }

  /** Chunks sent and not yet answered. */
  get load(): number {
    return this.pending.size;
  }

  predict(id: number, texts: readonly string[]): Promise<Prediction[]> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage({ type: 'predict', id, texts } satisfies ToPoolWorker);
      } catch (err) {
        // Only strings cross to a worker; anything else fails here, before it is counted.
        const problem = err instanceof Error ? err.message : String(err);
        return reject(new TypeError(`predictBatch takes strings: ${problem}`));
      }
      this.track(id, { texts, resolve, reject });
    });
  }

  /**
   * Takes no more requests, waits until the pending ones are answered, then asks the worker to
   * free its session and end; resolves when the thread has exited (terminating it if it takes
   * longer than RELEASE_GRACE_MS).
   */
  async release(): Promise<void> {
    if (this.stopped) return;
    this.stopped = new ParleyError('MODEL_INVALID', 'the prediction worker has been released');
    if (this.pending.size > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    this.worker.ref();
    this.worker.postMessage({ type: 'release' } satisfies ToPoolWorker);
    const grace = setTimeout(() => void this.worker.terminate(), RELEASE_GRACE_MS);
    await this.exited;
    clearTimeout(grace);
  }

  /** Counts a request; the first one keeps the process alive until the last is answered. */
  private track(id: number, waiting: Pending): void {
    if (this.pending.size === 0) this.worker.ref();
    this.pending.set(id, waiting);
  }

  private settle(id: number): Pending | undefined {
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) {
      this.worker.unref();
      this.onIdle?.();
    }
    return waiting;
  }

  private receive(message: FromPoolWorker): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const waiting = this.settle(message.id);
    if (!waiting) return;
    if (message.type === 'result')
      waiting.resolve(fromWire(message.chunk, waiting.texts, this.names));
    else waiting.reject(asError(message.error));
  }

  /** A crashed or exited worker fails what it still owed, and every later request. */
  private fail(what: string): void {
    this.stopped ??= new ParleyError('MODEL_INVALID', `a prediction worker ${what}`);
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(this.stopped);
  }
}

/** A worker's error as the caller would have seen it from an engine in its own thread. */
function asError(failure: WorkerFailure): Error {
  return failure.code ? new ParleyError(failure.code, failure.message) : new Error(failure.message);
}

/**
 * An engine over `workers` worker threads (at least 1), each running the checked artifact on its
 * own session of `threads` intra-op threads (1 by default); createNluEngine's `workers` option.
 * Startup fails like createNluEngine does (MODEL_INVALID, DEVICE_UNAVAILABLE), once for the
 * whole pool.
 */
export async function createWorkerPoolEngine(
  loaded: LoadedArtifact,
  options: { workers: number; threads?: number; device?: Device },
): Promise<LoadedNluEngine> {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new ParleyError(
      'CONFIG_INVALID',
      `workers must be a whole number >= 1, got ${JSON.stringify(options.workers)}`,
    );
  }
  // Only the manifest and the bytes cross to the workers; each checks and loads them itself.
  const data: PoolWorkerData = {
    artifact: { manifest: loaded.manifest, onnx: loaded.onnx },
    device: options.device ?? 'cpu',
    threads: options.threads ?? 1,
  };
  const started = await Promise.allSettled(
    Array.from({ length: options.workers }, () => PoolWorker.start(data)),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.release()));
    throw failed.reason;
  }
  return new WorkerPoolEngine(loaded, workers);
}

class WorkerPoolEngine extends ManifestEngine {
  private nextId = 0;
  private releasing: Promise<void> | undefined;

  constructor(
    artifact: LoadedArtifact,
    private readonly workers: readonly PoolWorker[],
  ) {
    super(artifact.manifest);
  }

  async predictBatch(texts: readonly string[]): Promise<Prediction[]> {
    if (this.releasing) {
      throw new ParleyError('MODEL_INVALID', `model ${this.version} has been released`);
    }
    const chunks: Promise<Prediction[]>[] = [];
    for (let at = 0; at < texts.length; at += POOL_CHUNK) {
      const chunk = texts.slice(at, at + POOL_CHUNK);
      chunks.push(this.leastBusy().predict(this.nextId++, chunk));
    }
    return (await Promise.all(chunks)).flat();
  }

  /** Waits for requests in flight (each worker answers its own), then ends the workers. */
  release(): Promise<void> {
    this.releasing ??= Promise.all(this.workers.map((w) => w.release())).then(() => undefined);
    return this.releasing;
  }

  /**
   * The working worker with the fewest unanswered chunks (chunks are about the same size). A
   * stopped worker is passed over; when none is left, the first one's failure says why.
   */
  private leastBusy(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const worker of this.workers) {
      if (worker.isUp && (!best || worker.load < best.load)) best = worker;
    }
    return best ?? this.workers[0];
  }
}
