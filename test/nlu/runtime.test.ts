import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { checkDevice } from '../../src/nlu/session.js';
import {
  createNluEngine,
  lengthGroups,
  RUN_COST_IN_SLOTS,
  type LoadedNluEngine,
} from '../../src/nlu/runtime.js';
import type { Prediction } from '../../src/nlu/types.js';
import { toyExamples, trainToy } from './toy.js';

let engine: LoadedNluEngine;

beforeAll(async () => {
  const { artifact } = await trainToy({ training: { epochs: 20 } });
  engine = await createNluEngine(artifact);
});

afterAll(async () => {
  await engine.release();
});

describe('NLU runtime', () => {
  it('answers empty and separator-only text with out_of_scope and no entities, without the model', async () => {
    const run = engine as unknown as { run: (...args: unknown[]) => unknown };
    const original = run.run;
    let calls = 0;
    run.run = (...args: unknown[]) => {
      calls++;
      return original.apply(engine, args);
    };
    try {
      for (const text of ['', '   ', '\n\t', '\u200b']) {
        const prediction = await engine.predict(text);
        expect(prediction.intent).toEqual({ name: 'out_of_scope', confidence: 1 });
        expect(prediction.entities).toEqual([]);
        expect(prediction.text).toBe(text);
        expect(prediction.truncated).toBe(false);
        expect(prediction.ranking.map((r) => r.name).sort()).toEqual([...engine.intents].sort());
      }
      expect(calls).toBe(0);
    } finally {
      run.run = original;
    }
  });

  it('predictBatch equals predict for each text, empty texts included', async () => {
    const texts = ['refund order A1234', '', 'hello there', 'track order B5678 please', 'hi'];
    const batch = await engine.predictBatch(texts);
    for (let i = 0; i < texts.length; i++) {
      const single = await engine.predict(texts[i]);
      expect(batch[i].intent.name).toBe(single.intent.name);
      expect(batch[i].intent.confidence).toBeCloseTo(single.intent.confidence, 6);
      expect(batch[i].entities.map(({ confidence, ...rest }) => rest)).toEqual(
        single.entities.map(({ confidence, ...rest }) => rest),
      );
    }
  });

  it('keeps entity values equal to the text at their offsets, ranking sorted and summing to 1', async () => {
    const prediction = await engine.predict('refund order A1234');
    expect(prediction.entities).toMatchObject([{ type: 'order_id', start: 13, end: 18 }]);
    for (const entity of prediction.entities) {
      expect(prediction.text.slice(entity.start, entity.end)).toBe(entity.value);
      expect(entity.confidence).toBeGreaterThan(0);
      expect(entity.confidence).toBeLessThanOrEqual(1);
    }
    const total = prediction.ranking.reduce((sum, r) => sum + r.confidence, 0);
    expect(total).toBeCloseTo(1, 6);
    const sorted = [...prediction.ranking].sort((a, b) => b.confidence - a.confidence);
    expect(prediction.ranking).toEqual(sorted);
    expect(prediction.modelVersion).toBe(engine.version);
  });

  it('gives 200 concurrent predictions the same results as sequential ones (C25)', async () => {
    const base = toyExamples().map((e) => e.text);
    const texts = Array.from(
      { length: 20 },
      (_, i) => `${base[i % base.length]} ${i % 3 ? '' : '!'}`,
    );
    const sequential: Prediction[] = [];
    for (const text of texts) sequential.push(await engine.predict(text));
    const concurrent = await Promise.all(
      Array.from({ length: 200 }, (_, i) => engine.predict(texts[i % texts.length])),
    );
    concurrent.forEach((prediction, i) => {
      const expected = sequential[i % texts.length];
      expect(prediction.text).toBe(expected.text);
      expect(prediction.intent.name).toBe(expected.intent.name);
      expect(Math.abs(prediction.intent.confidence - expected.intent.confidence)).toBeLessThan(
        1e-6,
      );
      expect(prediction.entities.length).toBe(expected.entities.length);
      prediction.entities.forEach((entity, j) => {
        expect({ ...entity, confidence: 0 }).toEqual({ ...expected.entities[j], confidence: 0 });
        expect(Math.abs(entity.confidence - expected.entities[j].confidence)).toBeLessThan(1e-6);
      });
    });
  });

  it('reads only the first maxTokens tokens of a very long text and says so', async () => {
    const text = `refund order A1234 ${'and more words '.repeat(60)}`;
    const prediction = await engine.predict(text);
    expect(prediction.truncated).toBe(true);
    expect(prediction.intent.name).toBe('refund_request');
    expect(prediction.entities).toMatchObject([{ value: 'A1234', start: 13, end: 18 }]);
    expect((await engine.predict('refund order A1234')).truncated).toBe(false);
  });

  it('release waits for runs in flight, and later calls fail clearly', async () => {
    const { artifact } = await trainToy({ training: { epochs: 2 } });
    const other = await createNluEngine(artifact);
    const pending = Array.from({ length: 20 }, () => other.predict('where is my order A1234'));
    const released = other.release();
    const results = await Promise.all(pending);
    await released;
    expect(results).toHaveLength(20);
    await expect(other.predict('hi')).rejects.toThrow(/has been released/);
  });

  it('fails with DEVICE_UNAVAILABLE and a fix when the CUDA provider is missing', () => {
    expect(() => checkDevice('cpu')).not.toThrow();
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('onnxruntime-node/package.json'));
    const library = join(root, 'bin', 'napi-v6', process.platform, process.arch);
    if (existsSync(join(library, 'libonnxruntime_providers_cuda.so'))) {
      expect(() => checkDevice('cuda')).not.toThrow();
      return;
    }
    let error: unknown;
    try {
      checkDevice('cuda');
    } catch (err) {
      error = err;
    }
    expect(isParleyError(error, 'DEVICE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12.*--device cpu/);
  });
});

describe('lengthGroups', () => {
  /** The cost lengthGroups minimises: per run, a fixed cost plus its padded slots. */
  const splitCost = (groups: number[][], lengths: readonly number[]) =>
    groups.reduce(
      (sum, g) => sum + RUN_COST_IN_SLOTS + g.length * Math.max(...g.map((i) => lengths[i])),
      0,
    );

  it('groups similar lengths, covers every index once, and caps a group at 64', () => {
    const lengths = [3, 30, 4, 3, 31, 5, 3, 29, ...Array.from({ length: 100 }, () => 8)];
    const groups = lengthGroups(lengths);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const group of groups) expect(group.length).toBeLessThanOrEqual(64);
    expect(groups.find((g) => g.includes(1))).toEqual(expect.arrayContaining([4, 7]));
    expect(groups.find((g) => g.includes(1))).not.toContain(0);
    expect(lengthGroups([])).toEqual([]);
  });

  it('finds the cheapest split: every way to cut short batches, checked by brute force', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 9);
      const lengths = Array.from({ length: n }, () => 2 + Math.floor(random() ** 3 * 120));
      const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
      let best = Infinity;
      // each of the n - 1 gaps between neighbours in length order is cut or not
      for (let mask = 0; mask < 2 ** (n - 1); mask++) {
        const groups: number[][] = [[order[0]]];
        for (let i = 1; i < n; i++) {
          if (mask & (1 << (i - 1))) groups.push([]);
          groups[groups.length - 1].push(order[i]);
        }
        best = Math.min(best, splitCost(groups, lengths));
      }
      expect(splitCost(lengthGroups(lengths), lengths)).toBe(best);
    }
  });

  it('keeps a batch of equal lengths in one run and cuts a long outlier off', () => {
    expect(lengthGroups([9, 9, 9, 9])).toEqual([[0, 1, 2, 3]]);
    const groups = lengthGroups([...Array.from({ length: 20 }, () => 6), 60]);
    expect(groups).toHaveLength(2);
    expect(groups[1]).toEqual([20]);
  });
});
