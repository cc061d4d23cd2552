/**
 * One prediction worker thread of a worker pool (worker-pool.ts): a SessionEngine on one intra-op
 * thread over the artifact it was started with, answering `predictBatch` requests by message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isParleyError } from '../core/errors.js';
import { createNluEngine } from './runtime.js';
import {
  rankingNames,
  toWire,
  type FromPoolWorker,
  type PoolWorkerData,
  type ToPoolWorker,
  type WorkerFailure,
} from './worker-pool.js';

function failure(err: unknown): WorkerFailure {
  const message = err instanceof Error ? err.message : String(err);
  return isParleyError(err) ? { code: err.code, message } : { message };
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker-thread.ts runs only as a worker thread');
  const send = (message: FromPoolWorker) => port.postMessage(message);
  const { artifact, device, threads } = workerData as PoolWorkerData;
  let engine;
  try {
    engine = await createNluEngine(artifact, { device, threads });
  } catch (err) {
    send({ type: 'failed', error: failure(err) });
    return;
  }
  const ready = engine;
  const names = rankingNames(ready.intents, ready.outOfScopeIntent);
  port.on('message', (message: ToPoolWorker) => {
    if (message.type === 'release') {
      // The pool sends this after its last request has come back; closing the port lets the
      // thread end on its own once the session is freed.
      void ready.release().finally(() => port.close());
      return;
    }
    ready.predictBatch(message.texts).then(
      (predictions) => {
        const chunk = toWire(predictions, names);
        port.postMessage({ type: 'result', id: message.id, chunk } satisfies FromPoolWorker, [
          chunk.starts.buffer,
          chunk.names.buffer,
          chunk.confidences.buffer,
        ]);
      },
      (err: unknown) => send({ type: 'error', id: message.id, error: failure(err) }),
    );
  });
  send({ type: 'ready' });
}

await serve();
