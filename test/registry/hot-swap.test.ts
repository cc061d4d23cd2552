import { beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadArtifact } from '../../src/nlu/artifact.js';
import { createActiveModel } from '../../src/registry/active-model.js';
import { createModelRegistry, parseVersionLabel } from '../../src/registry/registry.js';
import { shopExamples } from '../fixtures/shop-data.js';
import { tinyBaseModel } from '../jobs/harness.js';
import { memoryModels } from '../jobs/memory-ports.js';

const silent = pino({ level: 'silent' });
let dirs: string[] = [];

beforeAll(async () => {
  dirs = [await tinyBaseModel(1), await tinyBaseModel(2)];
}, 120_000);

async function twoVersions() {
  const models = memoryModels();
  const registry = createModelRegistry({ repo: models, listen: models.listen, logger: silent });
  await registry.ensureInitial(dirs[0]);
  const v2 = await loadArtifact(dirs[1]);
  await registry.addCandidate({ artifact: v2, parentVersion: 1, runId: 'run' });
  return { models, registry };
}

describe('hot swap with real engines (case C25)', () => {
  it('answers 200 concurrent predictions across a promotion, each from the version it names', async () => {
    const { registry } = await twoVersions();
    const model = createActiveModel({ initial: await registry.loadEngine(1), logger: silent });
    const stop = await registry.follow(model);
    const texts = shopExamples()
      .slice(0, 200)
      .filter((_, i) => i % 10 === 0)
      .map((e) => e.text);
    expect(texts).toHaveLength(20);

    // Sequential answers of each version, for comparison.
    const sequential = new Map<string, Map<string, Awaited<ReturnType<typeof model.predict>>>>();
    for (const version of [1, 2]) {
      const engine = await registry.loadEngine(version);
      const answers = new Map();
      for (const text of texts) answers.set(text, await engine.predict(text));
      sequential.set(`v${version}`, answers);
      await engine.release();
    }

    const burst = Array.from({ length: 200 }, (_, i) => model.predict(texts[i % 20]));
    await registry.promote(2);
    // Keep asking while the new version loads, until it serves.
    const during: Promise<Awaited<ReturnType<typeof model.predict>>>[] = [];
    for (let i = 0; model.version !== 'v2' && i < 2_000; i++) {
      during.push(model.predict(texts[i % 20]));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const after = texts.map((text) => model.predict(text));
    const results = await Promise.allSettled([...burst, ...during, ...after]);

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const predictions = results.map((r) => (r as PromiseFulfilledResult<any>).value);
    for (const p of predictions) {
      const expected = sequential.get(p.modelVersion)?.get(p.text);
      expect(expected, `${p.modelVersion} ${p.text}`).toBeDefined();
      expect(p.intent.name).toBe(expected!.intent.name);
      expect(p.intent.confidence).toBeCloseTo(expected!.intent.confidence, 6);
      expect(p.entities).toEqual(expected!.entities);
    }
    await model.drained();
    expect(model.version).toBe('v2');
    expect(new Set(predictions.map((p) => p.modelVersion))).toContain('v2');

    await stop();
    await model.close();
  });

  it('serves the version a promotion by another caller announced, and names it v<n>', async () => {
    const { registry } = await twoVersions();
    const model = createActiveModel({ initial: await registry.loadEngine(1), logger: silent });
    const stop = await registry.follow(model);
    expect((await model.predict('hello')).modelVersion).toBe('v1');

    await registry.promote(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await model.drained();
    expect((await model.predict('hello')).modelVersion).toBe('v2');

    await stop();
    await model.close();
  });
});

describe('registry names and follower', () => {
  it.each([
    ['v3', 3],
    ['V12', 12],
    ['7', 7],
  ])('reads %s as version %i', (label, version) => {
    expect(parseVersionLabel(label)).toBe(version);
  });

  it.each(['v0', 'latest', '-1', 'v1.2'])('refuses %s as a version', (label) => {
    expect(() => parseVersionLabel(label)).toThrow(/not a model version/);
  });

  it('checks the active version again when the listener reconnects', async () => {
    const { registry, models } = await twoVersions();
    let resubscribe: () => void = () => undefined;
    const followed = createModelRegistry({
      repo: models,
      logger: silent,
      listen: {
        listen: async (_channel, _handler, opts) => {
          resubscribe = opts?.onResubscribe ?? resubscribe;
          return async () => undefined;
        },
      },
    });
    const model = createActiveModel({ initial: await registry.loadEngine(1), logger: silent });
    const stop = await followed.follow(model);

    // A promotion announced while the listener was away: only the recheck can catch it.
    models.rows[0].status = 'retired';
    models.rows[1].status = 'active';
    resubscribe();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await model.drained();
    expect(model.version).toBe('v2');

    await stop();
    await model.close();
  });
});
