/**
 * One prediction worker thread of a worker pool (worker-pool.ts): a SessionEngine on one intra-op
 * thread over the artifact it was started with, answering `predictBatch` requests by message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isParleyError } from '../core/errors.js';
import { createNluEngine } from './runtime.js';
import {
  toWire,
  type FromPoolWorker,
  type PoolWorkerData,
  type ToPoolWorker,
} from './worker-pool.js';

function failure(err: unknown): { code: string; message: string } {
  return {
    code: isParleyError(err) ? err.code : 'MODEL_INVALID',
    message: err instanceof Error ? err.message : String(err),
  };
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker-thread.ts runs only as a worker thread');
  const send = (message: FromPoolWorker) => port.postMessage(message);
  const { artifact, device } = workerData as PoolWorkerData;
  let engine;
  try {
    engine = await createNluEngine(artifact, { device, threads: 1 });
  } catch (err) {
    send({ type: 'failed', error: failure(err) });
    return;
  }
  const ready = engine;
  port.on('message', (message: ToPoolWorker) => {
    if (message.type === 'release') {
      // The pool sends this after its last request has come back; closing the port lets the
      // thread end on its own once the session is freed.
      void ready.release().finally(() => port.close());
      return;
    }
    ready.predictBatch(message.texts).then(
      (predictions) => {
        const chunk = toWire(predictions, ready.intents);
        port.postMessage({ type: 'result', id: message.id, chunk } satisfies FromPoolWorker, [
          chunk.order.buffer,
          chunk.confidence.buffer,
        ]);
      },
      (err: unknown) => send({ type: 'error', id: message.id, error: failure(err) }),
    );
  });
  send({ type: 'ready' });
}

await serve();
