import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadArtifact, MANIFEST_FORMAT_VERSION } from '../../src/nlu/artifact.js';
import { forwardBatch } from '../../src/nlu/encode.js';
import { buildForwardGraph, type ModelSpec } from '../../src/nlu/model.js';
import { createNluEngine, loadNluEngine } from '../../src/nlu/runtime.js';
import { createInferenceSession } from '../../src/nlu/session.js';
import type { Prediction } from '../../src/nlu/types.js';
import { exportForward } from '../../src/train/graph/export.js';
import { train } from '../../src/train/trainer.js';
import { shopExamples } from '../fixtures/shop-data.js';

const FIXTURE = new URL('../fixtures/model-v1/', import.meta.url).pathname;

type Expected = Pick<Prediction, 'text' | 'intent' | 'ranking' | 'entities'>;

describe('models saved in manifest format 1 (padded graph inputs)', () => {
  it('load and predict what they predicted when they were saved', async () => {
    const expected = JSON.parse(readFileSync(`${FIXTURE}/expected.json`, 'utf8')) as Expected[];
    const engine = await loadNluEngine(FIXTURE);
    expect(engine.manifest.formatVersion).toBe(1);
    const predictions = await engine.predictBatch(expected.map((e) => e.text));
    predictions.forEach((got, i) => {
      const want = expected[i];
      expect(got.intent.name, want.text).toBe(want.intent.name);
      expect(got.intent.confidence).toBeCloseTo(want.intent.confidence, 6);
      got.ranking.slice(0, 3).forEach((score, r) => {
        expect(score.name, want.text).toBe(want.ranking[r].name);
        expect(score.confidence).toBeCloseTo(want.ranking[r].confidence, 6);
      });
      expect(got.entities.map(({ confidence, ...span }) => span)).toEqual(
        want.entities.map(({ confidence, ...span }) => span),
      );
    });
    await engine.release();
  });

  it('give the same logits through the packed graph built from their weights', async () => {
    const loaded = await loadArtifact(FIXTURE);
    const { manifest, featurizer } = loaded;
    const spec: ModelSpec = {
      config: manifest.model,
      featureCount: featurizer.featureCount,
      featuresPerToken: featurizer.config.maxFeaturesPerToken,
      intentCount: manifest.labels.intents.length,
      tagCount: manifest.labels.tags.length,
    };
    const params = new Map([...loaded.weights].map(([name, { data }]) => [name, data]));
    const forward = buildForwardGraph(spec, params);
    const packedOnnx = exportForward(
      forward.graph,
      { intentLogits: forward.intentLogits, tagLogits: forward.tagLogits },
      params,
    );

    // Lengths from 2 to the 65-row limit in one batch, so most of it is padding in format 1.
    const long = Array.from({ length: 80 }, (_, i) => `word${i % 7}`).join(' ');
    const texts = ['hi', 'where is my order A1234', long, 'refund B5678 🙂 asap', 'thanks!!'];
    const items = texts.map((text) => featurizer.encode(text));
    const shape = { featuresPerToken: spec.featuresPerToken, localWindow: spec.config.localWindow };
    const padded = forwardBatch(items, shape, 'padded');
    const packed = forwardBatch(items, shape, 'packed');
    const run = async (onnx: Uint8Array, inputs: typeof padded.inputs) => {
      const session = await createInferenceSession(onnx, { threads: 1 });
      const out = await session.run(inputs);
      await session.release();
      return {
        intents: out.intentLogits.data as Float32Array,
        tags: out.tagLogits.data as Float32Array,
      };
    };
    const before = await run(loaded.onnx, padded.inputs);
    const after = await run(packedOnnx, packed.inputs);

    expect(after.intents.length).toBe(before.intents.length);
    after.intents.forEach((v, i) => expect(v).toBeCloseTo(before.intents[i], 4));
    const width = spec.tagCount;
    const rows = items.reduce((sum, item) => sum + item.length, 0);
    expect(after.tags.length).toBe(rows * width);
    items.forEach((item, b) => {
      for (let t = 0; t < item.length; t++) {
        for (let j = 0; j < width; j++) {
          const was = before.tags[(padded.firstRow[b] + t) * width + j];
          const now = after.tags[(packed.firstRow[b] + t) * width + j];
          expect(Math.abs(now - was), `message ${b} row ${t} tag ${j}`).toBeLessThan(1e-4);
        }
      }
    });
  });

  it('warm-start a retrain whose model is written in the current format', async () => {
    const parent = await loadArtifact(FIXTURE);
    const { artifact } = await train({
      train: shopExamples(),
      warmStart: parent,
      training: { epochs: 2, seed: 3 },
      progress: 'none',
    });
    expect(artifact.manifest.formatVersion).toBe(MANIFEST_FORMAT_VERSION);
    expect(artifact.manifest.parentVersion).toBe(parent.manifest.version);
    const engine = await createNluEngine(artifact);
    const prediction = await engine.predict('where is my order A1234');
    expect(prediction.intent.name).toBe('order_status');
    expect(prediction.entities.map((e) => e.value)).toEqual(['A1234']);
    await engine.release();
  });
});
