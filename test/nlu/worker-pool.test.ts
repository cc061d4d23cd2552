import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import type { ModelArtifact } from '../../src/nlu/artifact.js';
import { createNluEngine, type LoadedNluEngine } from '../../src/nlu/runtime.js';
import { POOL_CHUNK } from '../../src/nlu/worker-pool.js';
import { checkDevice } from '../../src/nlu/session.js';
import { toyExamples, trainToy } from './toy.js';

function isCudaInstalled(): boolean {
  try {
    checkDevice('cuda');
    return true;
  } catch {
    return false;
  }
}

let artifact: ModelArtifact;
let local: LoadedNluEngine;
let pool: LoadedNluEngine;

beforeAll(async () => {
  ({ artifact } = await trainToy({ training: { epochs: 20 } }));
  local = await createNluEngine(artifact);
  pool = await createNluEngine(artifact, { workers: 2 });
}, 60_000);

afterAll(async () => {
  await local.release();
  await pool.release();
});

/** Several chunks' worth of texts, empty and very long ones among them, in a shuffled order. */
function manyTexts(): string[] {
  const base = toyExamples().map((e) => e.text);
  const texts: string[] = [];
  for (let i = 0; texts.length < POOL_CHUNK * 3 + 17; i++) {
    texts.push(base[(i * 7) % base.length]);
    if (i % 29 === 0) texts.push('');
    if (i % 41 === 0) texts.push('refund order A1234 '.repeat(40));
  }
  return texts;
}

describe('worker pool engine', () => {
  it('answers many messages in their order, the same as the in-process engine', async () => {
    const texts = manyTexts();
    const fromPool = await pool.predictBatch(texts);
    const fromLocal = [];
    for (let at = 0; at < texts.length; at += POOL_CHUNK) {
      fromLocal.push(...(await local.predictBatch(texts.slice(at, at + POOL_CHUNK))));
    }
    expect(fromPool).toHaveLength(texts.length);
    expect(fromPool.map((p) => p.text)).toEqual(texts);
    // The same chunks of 64 run through the same code on both sides: identical to the last bit.
    expect(fromPool).toEqual(fromLocal);
    // Across other chunkings only the last float bits may move (attention pads differently).
    const whole = await local.predictBatch(texts);
    expect(fromPool.map((p) => p.intent.name)).toEqual(whole.map((p) => p.intent.name));
  });

  it('tells about the model like the in-process engine', () => {
    expect(pool.version).toBe(local.version);
    expect(pool.intents).toEqual(local.intents);
    expect(pool.entityTypes).toEqual(local.entityTypes);
    expect(pool.outOfScopeIntent).toBe(local.outOfScopeIntent);
    expect(pool.threshold).toBe(local.threshold);
  });

  it('answers concurrent calls each with their own results', async () => {
    const texts = toyExamples().map((e) => e.text);
    const expected = await local.predictBatch(texts);
    const answers = await Promise.all(texts.map((text) => pool.predict(text)));
    expect(answers.map((a) => a.intent.name)).toEqual(expected.map((e) => e.intent.name));
    expect(answers.map((a) => a.entities.map((e) => e.value))).toEqual(
      expected.map((e) => e.entities.map((x) => x.value)),
    );
  });

  it('release waits for requests in flight, and later calls fail clearly', async () => {
    const other = await createNluEngine(artifact, { workers: 2 });
    const texts = manyTexts();
    const inFlight = other.predictBatch(texts);
    const released = other.release();
    expect(await inFlight).toHaveLength(texts.length);
    await released;
    await expect(other.predict('hi')).rejects.toThrow(/has been released/);
  });

  it('fails the requests of a worker that dies, and sends later ones to the others', async () => {
    const other = await createNluEngine(artifact, { workers: 2 });
    try {
      const workers = (other as unknown as { workers: { worker: Worker }[] }).workers;
      const texts = manyTexts();
      const inFlight = other.predictBatch(texts).catch((e: unknown) => e);
      await workers[0].worker.terminate();
      const failure = await inFlight;
      expect(isParleyError(failure, 'MODEL_INVALID')).toBe(true);
      expect((failure as Error).message).toMatch(/a prediction worker stopped \(exit code 1\)/);
      const after = await other.predictBatch(texts);
      expect(after.map((p) => p.intent.name)).toEqual(
        (await pool.predictBatch(texts)).map((p) => p.intent.name),
      );
      await workers[1].worker.terminate();
      await expect(other.predict('hi')).rejects.toThrow(/a prediction worker stopped/);
    } finally {
      await other.release();
    }
  });

  it('keeps the out-of-scope entry of an empty message ranking when the model has no such intent', async () => {
    const { artifact: noOos } = await trainToy({
      train: toyExamples().filter((e) => e.intent !== 'out_of_scope'),
      training: { epochs: 5 },
    });
    const inProcess = await createNluEngine(noOos);
    const pooled = await createNluEngine(noOos, { workers: 2 });
    try {
      expect(pooled.intents).not.toContain('out_of_scope');
      const texts = ['', 'refund order A1234', '   '];
      const expected = await inProcess.predictBatch(texts);
      expect(expected[0].ranking[0]).toEqual({ name: 'out_of_scope', confidence: 1 });
      expect(await pooled.predictBatch(texts)).toEqual(expected);
    } finally {
      await inProcess.release();
      await pooled.release();
    }
  });

  it('fails to start with the error of its workers, such as a missing CUDA provider', async () => {
    if (isCudaInstalled()) return;
    const failure = await createNluEngine(artifact, { workers: 2, device: 'cuda' }).catch(
      (e: unknown) => e,
    );
    expect(isParleyError(failure, 'DEVICE_UNAVAILABLE')).toBe(true);
    expect((failure as Error).message).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
  });

  it('refuses a corrupt artifact before starting any worker, and a bad worker count', async () => {
    const corrupt = { ...artifact, onnx: artifact.onnx.slice(0, 100) };
    const failure = await createNluEngine(corrupt, { workers: 2 }).catch((e: unknown) => e);
    expect(isParleyError(failure, 'MODEL_INVALID')).toBe(true);
    const zero = await createNluEngine(artifact, { workers: 0 }).catch((e: unknown) => e);
    expect(isParleyError(zero, 'CONFIG_INVALID')).toBe(true);
    expect((zero as Error).message).toMatch(/workers must be a whole number >= 1, got 0/);
  });
});
