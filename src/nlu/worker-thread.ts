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
  const engine = await createNluEngine(artifact, { device, threads }).catch((err: unknown) => {
    send({ type: 'failed', error: failure(err) });
  });
  if (!engine) return;
  const names = rankingNames(engine.intents, engine.outOfScopeIntent);

  const answer = async (id: number, texts: readonly string[]) => {
    try {
      const chunk = toWire(await engine.predictBatch(texts), names);
      const arrays = [chunk.starts.buffer, chunk.names.buffer, chunk.confidences.buffer];
      port.postMessage({ type: 'result', id, chunk } satisfies FromPoolWorker, arrays);
    } catch (err) {
      send({ type: 'error', id, error: failure(err) });
    }
  };
  port.on('message', (message: ToPoolWorker) => {
    if (message.type === 'predict') return void answer(message.id, message.texts);
    // 'release' comes after the pool's last request has been answered; closing the port lets
    // the thread end on its own once the session is freed.
    void engine.release().finally(() => port.close());
  });
  send({ type: 'ready' });
}

await serve();
