import { ParleyError } from '../core/errors.js';
import { logger as componentLogger, type Logger } from '../core/log.js';
import type { NluEngine, Prediction } from '../nlu/types.js';

/**
 * The model this process serves, and the hot swap between versions (case C25).
 *
 * The holder is itself an `NluEngine`: the conversation pipeline is given `() => activeModel`
 * and calls `predict` on it. Each call takes the engine that is current at that moment, counts
 * itself in flight on that engine, and returns the engine's prediction, which carries that
 * engine's version. A swap loads the new engine first (the old one keeps answering meanwhile),
 * then makes it current in one synchronous step; the old engine is released once its last call
 * in flight has finished, and exactly once.
 */

/** An engine the holder can free; `LoadedNluEngine` from src/nlu satisfies it. */
export interface ReleasableEngine extends NluEngine {
  release(): Promise<void>;
}

export interface ActiveModelOptions {
  /** The engine served from the start. */
  initial: ReleasableEngine;
  logger?: Logger;
}

export interface ActiveModel extends NluEngine {
  /** The engine serving now (for reads such as labels; predict through the holder). */
  current(): ReleasableEngine;
  /**
   * Loads an engine with `load` and makes it current. Swaps are serialised; a swap to the version
   * already served is a no-op and `load` is not called. Resolves once the new engine serves; the
   * old one is released in the background when its calls in flight finish.
   */
  swap(version: string, load: () => Promise<ReleasableEngine>): Promise<{ swapped: boolean }>;
  /** Resolves when every retired engine has been released (tests and shutdown). */
  drained(): Promise<void>;
  /** Stops serving: waits for calls in flight, then releases the current engine. */
  close(): Promise<void>;
}

interface Slot {
  engine: ReleasableEngine;
  inFlight: number;
  retired: boolean;
  /** Set when release() has been called; the guard that makes it happen exactly once. */
  released?: Promise<void>;
  /** Settles once the slot is retired and released. */
  done?: Promise<void>;
  markDone?: () => void;
}

export function createActiveModel(options: ActiveModelOptions): ActiveModel {
  const log = options.logger ?? componentLogger('registry.active-model');
  let slot: Slot = { engine: options.initial, inFlight: 0, retired: false };
  let swaps: Promise<unknown> = Promise.resolve();
  let closed = false;
  const retiring = new Set<Promise<void>>();

  function releaseOnce(old: Slot): void {
    if (old.released) return;
    old.released = old.engine
      .release()
      .then(() => log.info({ version: old.engine.version }, 'retired model released'))
      .catch((err: unknown) => {
        log.error({ err, version: old.engine.version }, 'releasing a retired model failed');
      })
      .finally(() => old.markDone?.());
  }

  function retire(old: Slot): void {
    old.retired = true;
    old.done = new Promise<void>((resolve) => (old.markDone = resolve));
    const done = old.done;
    retiring.add(done);
    void done.then(() => retiring.delete(done));
    if (old.inFlight === 0) releaseOnce(old);
  }

  async function withEngine<T>(call: (engine: ReleasableEngine) => Promise<T>): Promise<T> {
    if (closed) throw new ParleyError('MODEL_INVALID', 'the active model has been closed');
    // Taken synchronously: a swap between here and the call cannot release this engine.
    const mine = slot;
    mine.inFlight++;
    try {
      return await call(mine.engine);
    } finally {
      mine.inFlight--;
      if (mine.retired && mine.inFlight === 0) releaseOnce(mine);
    }
  }

  async function doSwap(version: string, load: () => Promise<ReleasableEngine>) {
    if (closed) throw new ParleyError('MODEL_INVALID', 'the active model has been closed');
    if (slot.engine.version === version) return { swapped: false };

    const started = performance.now();
    const engine = await load();
    if (engine.version !== version) {
      await engine.release();
      throw new ParleyError(
        'MODEL_INVALID',
        `asked to serve model ${version} but the loaded engine says ${engine.version}`,
      );
    }
    const old = slot;
    slot = { engine, inFlight: 0, retired: false };
    retire(old);
    log.info(
      { from: old.engine.version, to: version, loadMs: Math.round(performance.now() - started) },
      'model swapped',
    );
    return { swapped: true };
  }

  const holder: ActiveModel = {
    get version() {
      return slot.engine.version;
    },
    get intents() {
      return slot.engine.intents;
    },
    get entityTypes() {
      return slot.engine.entityTypes;
    },
    get outOfScopeIntent() {
      return slot.engine.outOfScopeIntent;
    },
    get threshold() {
      return slot.engine.threshold;
    },
    predict: (text: string): Promise<Prediction> => withEngine((e) => e.predict(text)),
    predictBatch: (texts: readonly string[]): Promise<Prediction[]> =>
      withEngine((e) => e.predictBatch(texts)),
    current: () => slot.engine,
    swap(version, load) {
      const next = swaps.then(() => doSwap(version, load));
      swaps = next.catch(() => undefined);
      return next;
    },
    async drained() {
      await swaps;
      while (retiring.size > 0) await Promise.all([...retiring]);
    },
    async close() {
      if (closed) return;
      await swaps;
      closed = true;
      retire(slot);
      await holder.drained();
    },
  };
  return holder;
}
