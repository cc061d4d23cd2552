import type { ReleasableEngine } from '../../src/registry/active-model.js';
import type { Prediction } from '../../src/nlu/types.js';

/**
 * A stand-in NLU engine for swap tests: predictions wait on a gate the test opens, and the
 * engine counts its release() calls and refuses to predict once released (as the real one does).
 */
export interface FakeEngine extends ReleasableEngine {
  releaseCalls: number;
  inFlight: number;
  /** Resolves every prediction waiting on the gate, and lets later ones through at once. */
  open(): void;
}

export function fakeEngine(version: string, options: { gated?: boolean } = {}): FakeEngine {
  let gateOpen = !options.gated;
  let waiters: (() => void)[] = [];
  let released = false;

  const engine: FakeEngine = {
    version,
    intents: ['greet', 'order_status', 'out_of_scope'],
    entityTypes: ['order_id'],
    outOfScopeIntent: 'out_of_scope',
    threshold: 0.5,
    releaseCalls: 0,
    inFlight: 0,
    open() {
      gateOpen = true;
      const ready = waiters;
      waiters = [];
      ready.forEach((resolve) => resolve());
    },
    async predict(text) {
      const [prediction] = await engine.predictBatch([text]);
      return prediction;
    },
    async predictBatch(texts) {
      if (released) throw new Error(`engine ${version} used after release`);
      engine.inFlight++;
      try {
        if (!gateOpen) await new Promise<void>((resolve) => waiters.push(resolve));
        if (released) throw new Error(`engine ${version} released during a run`);
        return texts.map((text) => predictionFor(text, version));
      } finally {
        engine.inFlight--;
      }
    },
    async release() {
      engine.releaseCalls++;
      if (engine.inFlight > 0) throw new Error(`engine ${version} released with runs in flight`);
      released = true;
    },
  };
  return engine;
}

function predictionFor(text: string, version: string): Prediction {
  const intent = { name: text.includes('order') ? 'order_status' : 'greet', confidence: 0.9 };
  return {
    text,
    intent,
    ranking: [intent],
    entities: [],
    modelVersion: version,
    truncated: false,
  };
}
