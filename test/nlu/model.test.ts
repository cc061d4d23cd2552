import { describe, expect, it } from 'vitest';
import { createNluEngine } from '../../src/nlu/runtime.js';
import { toyExamples, trainToy } from './toy.js';

describe('joint model training', () => {
  it('learns a toy set to 100% (intents and exact entity spans) within seconds', async () => {
    const started = Date.now();
    const { artifact } = await trainToy();
    expect(Date.now() - started).toBeLessThan(15_000);

    const engine = await createNluEngine(artifact);
    const data = toyExamples();
    const predictions = await engine.predictBatch(data.map((e) => e.text));
    predictions.forEach((prediction, i) => {
      expect(prediction.ranking[0].name, data[i].text).toBe(data[i].intent);
      const spans = prediction.entities.map((e) => [e.type, e.start, e.end]);
      expect(spans, data[i].text).toEqual(data[i].entities.map((e) => [e.type, e.start, e.end]));
    });
    // An unseen order id in a known phrasing: the n-grams and shapes generalise.
    const unseen = await engine.predict('where is my order Z9999');
    expect(unseen.intent.name).toBe('order_status');
    expect(unseen.entities).toMatchObject([
      { type: 'order_id', value: 'Z9999', start: 18, end: 23 },
    ]);
    await engine.release();
  });

  it('gives bit-identical weights for the same seed, and different ones for another seed', async () => {
    const a = await trainToy({ training: { epochs: 4 } });
    const b = await trainToy({ training: { epochs: 4 } });
    const c = await trainToy({ training: { epochs: 4, seed: 8 } });
    expect(Buffer.from(a.artifact.onnx).equals(Buffer.from(b.artifact.onnx))).toBe(true);
    expect(a.artifact.manifest.onnx.sha256).toBe(b.artifact.manifest.onnx.sha256);
    expect(a.artifact.manifest.onnx.sha256).not.toBe(c.artifact.manifest.onnx.sha256);
  });
});
