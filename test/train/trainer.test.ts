import { describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { checkArtifact } from '../../src/nlu/artifact.js';
import { createNluEngine } from '../../src/nlu/runtime.js';
import { createRng } from '../../src/train/rng.js';
import { carveDev, dataHash, tagTokens } from '../../src/train/training-data.js';
import { example, toyExamples, trainToy } from '../nlu/toy.js';

describe('train', () => {
  it('stops with TRAINING_CANCELLED when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('admin cancelled'));
    const error = await trainToy({ signal: controller.signal }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isParleyError(error, 'TRAINING_CANCELLED')).toBe(true);
  });

  it('stops between steps when the signal aborts halfway', async () => {
    let checks = 0;
    const signal = {
      get aborted() {
        return ++checks > 5;
      },
      reason: new Error('stop'),
    } as AbortSignal;
    await expect(trainToy({ signal })).rejects.toMatchObject({ code: 'TRAINING_CANCELLED' });
    expect(checks).toBe(6);
  });

  it('stops early after `patience` epochs without a better dev score', async () => {
    const data = toyExamples();
    const seen: number[] = [];
    const { artifact, history } = await trainToy({
      dev: data,
      training: { epochs: 60, patience: 2, earliestStop: 0 },
      onEpoch: (progress) => seen.push(progress.epoch),
    });
    expect(seen).toEqual(history.map((h) => h.epoch));
    expect(history.length).toBeLessThan(60);
    const best = artifact.manifest.training.bestEpoch;
    expect(history.length).toBe(best + 2);
    expect(artifact.manifest.training.devSource).toBe('given');
    expect(artifact.manifest.metrics.devIntentAccuracy).toBe(1);
  });

  it('never stops early within the first `earliestStop` share of the epochs', async () => {
    // The toy set is its own dev set: dev is perfect within a few epochs and never improves
    // after, so patience 1 alone would stop the run right after the best epoch.
    const data = toyExamples();
    const { artifact, history } = await trainToy({
      dev: data,
      training: { epochs: 24, patience: 1, earliestStop: 0.5 },
    });
    const best = artifact.manifest.training.bestEpoch;
    expect(best).toBeLessThan(11);
    expect(history.length).toBe(12);
  });

  it('refuses an earliestStop outside 0..1', async () => {
    await expect(trainToy({ training: { earliestStop: 1.5 } })).rejects.toThrow(
      /earliestStop must be in 0..1/,
    );
  });

  it('scores the average of the last epochs on dev and keeps it when it is best', async () => {
    const data = toyExamples();
    const { artifact, history } = await trainToy({
      dev: data.filter((_, i) => i % 3 === 0),
      training: { epochs: 8, averageEpochs: 3, patience: 8, learningRate: 2e-3 },
    });
    expect(history.slice(0, 2).map((h) => h.devScoreAveraged)).toEqual([undefined, undefined]);
    for (const h of history.slice(2)) expect(h.devScoreAveraged).toBeGreaterThanOrEqual(0);

    // The exported weights score on dev what the best candidate, single or averaged, scored.
    const candidates = history.flatMap((h) => [h.devScore!, h.devScoreAveraged ?? -1]);
    const { metrics, training } = artifact.manifest;
    const exported = (metrics.devIntentAccuracy + metrics.devEntityF1) / 2;
    expect(exported).toBeCloseTo(Math.max(...candidates), 6);
    const best = history[training.bestEpoch - 1];
    const fromAverage = training.averagedEpochs === 3;
    expect(fromAverage ? best.devScoreAveraged : best.devScore).toBeCloseTo(exported, 6);
  });

  it('refuses a devFraction outside 0..0.5, NaN included', async () => {
    for (const devFraction of [-0.1, 0.6, Number.NaN]) {
      await expect(trainToy({ training: { devFraction } })).rejects.toThrow(
        /devFraction must be in 0..0.5/,
      );
    }
  });

  it('refuses an entitySwap outside 0..1', async () => {
    for (const entitySwap of [-0.1, 1.5, Number.NaN]) {
      await expect(trainToy({ training: { entitySwap } })).rejects.toThrow(
        /entitySwap must be in 0..1/,
      );
    }
  });

  it('refuses a negative or fractional averageEpochs', async () => {
    await expect(trainToy({ training: { averageEpochs: -1 } })).rejects.toThrow(
      /averageEpochs must be an integer >= 0/,
    );
  });

  it('chooses an out-of-scope threshold on dev and stores it', async () => {
    const dev = [
      ...toyExamples(),
      example('what time is it in Tokyo', 'out_of_scope'),
      example('play some music', 'out_of_scope'),
    ];
    const { artifact } = await trainToy({ dev });
    const { calibration } = artifact.manifest;
    const { metrics } = artifact.manifest;
    expect(calibration.temperature).toBeGreaterThan(0);
    expect(calibration.threshold).toBeLessThan(1);
    expect(calibration.criterion).toMatch(/maximises dev macro-F1 .* out_of_scope as a class/);
    expect(metrics.devMacroF1).toBeGreaterThanOrEqual(metrics.devMacroF1WithoutThreshold);
  });

  it('warm-starts: keeps what the parent knew and grows heads for new labels', async () => {
    const parent = checkArtifact((await trainToy()).artifact);
    const extra = ['C9012', 'D3456', 'E7890'].flatMap((id) => [
      example(`cancel order ${id}`, 'cancel_order', [['order_id', id]]),
      example(`please cancel ${id} and email me at a@b.test`, 'cancel_order', [
        ['order_id', id],
        ['email', 'a@b.test'],
      ]),
    ]);
    const child = await trainToy({
      train: [...toyExamples(), ...extra],
      warmStart: parent,
      training: { epochs: 15 },
    });
    const { manifest } = child.artifact;
    expect(manifest.parentVersion).toBe(parent.manifest.version);
    expect(manifest.labels.intents).toEqual([...parent.manifest.labels.intents, 'cancel_order']);
    expect(manifest.labels.tags).toEqual([...parent.manifest.labels.tags, 'B-email', 'I-email']);
    expect(manifest.featurizer).toEqual(parent.manifest.featurizer);

    const engine = await createNluEngine(child.artifact);
    const predictions = await engine.predictBatch([
      'where is my order A1234',
      'cancel order F1357',
      'hello there',
    ]);
    expect(predictions.map((p) => p.ranking[0].name)).toEqual([
      'order_status',
      'cancel_order',
      'greet',
    ]);
    await engine.release();
  });

  it('starts a warm start from the parent weights, not from scratch', async () => {
    const parent = checkArtifact((await trainToy()).artifact);
    // One epoch at a tiny learning rate: a warm start must already know the toy set.
    const child = await trainToy({
      warmStart: parent,
      training: { epochs: 1, learningRate: 1e-6 },
    });
    const engine = await createNluEngine(child.artifact);
    const data = toyExamples();
    const predictions = await engine.predictBatch(data.map((e) => e.text));
    const right = predictions.filter((p, i) => p.ranking[0].name === data[i].intent).length;
    expect(right).toBe(data.length);
    await engine.release();
  });
});

describe('training data', () => {
  it('carves a stratified dev split with the seed, leaving train at least two per intent', () => {
    const data = toyExamples();
    const a = carveDev(data, 0.25, createRng(1));
    const b = carveDev(data, 0.25, createRng(1));
    expect(a).toEqual(b);
    expect(a.train.length + a.dev.length).toBe(data.length);
    const intents = new Set(data.map((e) => e.intent));
    for (const intent of intents) {
      expect(a.dev.some((e) => e.intent === intent)).toBe(true);
      expect(a.train.filter((e) => e.intent === intent).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('hashes the data so that any change shows', () => {
    const data = toyExamples();
    const hash = dataHash(data, []);
    expect(dataHash(toyExamples(), [])).toBe(hash);
    const changed = toyExamples();
    changed[0].entities[0].end -= 1;
    expect(dataHash(changed, [])).not.toBe(hash);
    expect(dataHash(data.slice(1), data.slice(0, 1))).not.toBe(hash);
  });

  it('tags tokens B/I from character spans and counts spans that cut a token', () => {
    const tagIds = new Map([
      ['O', 0],
      ['B-product', 1],
      ['I-product', 2],
    ]);
    const tokens = [
      { start: 0, end: 3 },
      { start: 4, end: 9 },
      { start: 10, end: 15 },
    ];
    const whole = tagTokens(tokens, [{ type: 'product', start: 4, end: 15, value: '' }], tagIds);
    expect(Array.from(whole.tags)).toEqual([0, 1, 2]);
    expect(whole.misaligned).toBe(0);
    const cut = tagTokens(tokens, [{ type: 'product', start: 5, end: 9, value: '' }], tagIds);
    expect(Array.from(cut.tags)).toEqual([0, 1, 0]);
    expect(cut.misaligned).toBe(1);
    const unknown = tagTokens(tokens, [{ type: 'city', start: 0, end: 3, value: '' }], tagIds);
    expect(unknown.dropped).toBe(1);
  });
});
