import { describe, expect, it } from 'vitest';
import { createActiveModel } from '../../src/registry/active-model.js';
import { fakeEngine } from './fake-engine.js';

describe('active model hot swap', () => {
  it('keeps 200 predictions in flight across a swap and records the version of each', async () => {
    const v1 = fakeEngine('v1', { gated: true });
    const v2 = fakeEngine('v2', { gated: true });
    const model = createActiveModel({ initial: v1 });

    const texts = Array.from({ length: 200 }, (_, i) => `message ${i} about order ${i % 20}`);
    const first = texts.slice(0, 100).map((t) => model.predict(t));
    await model.swap('v2', async () => v2);
    const second = texts.slice(100).map((t) => model.predict(t));

    // v1 still has 100 runs in flight, so it must not be released yet.
    expect(v1.releaseCalls).toBe(0);
    expect(model.version).toBe('v2');

    v2.open();
    v1.open();
    const results = await Promise.allSettled([...first, ...second]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const versions = results.map((r) => (r.status === 'fulfilled' ? r.value.modelVersion : ''));
    expect(versions.slice(0, 100).every((v) => v === 'v1')).toBe(true);
    expect(versions.slice(100).every((v) => v === 'v2')).toBe(true);

    await model.drained();
    expect(v1.releaseCalls).toBe(1);
    expect(v2.releaseCalls).toBe(0);
  });

  it('releases an idle engine at once and each retired engine exactly once over 50 cycles', async () => {
    const engines = [fakeEngine('v1'), fakeEngine('v2')];
    const loads: string[] = [];
    const model = createActiveModel({ initial: engines[0] });
    const all = [engines[0]];

    for (let cycle = 0; cycle < 50; cycle++) {
      for (const version of ['v2', 'v1']) {
        const result = await model.swap(version, async () => {
          loads.push(version);
          const engine = fakeEngine(version);
          all.push(engine);
          return engine;
        });
        expect(result.swapped).toBe(true);
        const predictions = await Promise.all(
          Array.from({ length: 10 }, (_, i) => model.predict(`order ${i}`)),
        );
        expect(new Set(predictions.map((p) => p.modelVersion))).toEqual(new Set([version]));
      }
    }

    await model.drained();
    expect(loads).toHaveLength(100);
    const retired = all.slice(0, -1);
    expect(retired.map((e) => e.releaseCalls)).toEqual(retired.map(() => 1));
    expect(all.at(-1)!.releaseCalls).toBe(0);
  });

  it('does not load when asked to swap to the version already served', async () => {
    const model = createActiveModel({ initial: fakeEngine('v3') });
    let loaded = false;
    const result = await model.swap('v3', async () => {
      loaded = true;
      return fakeEngine('v3');
    });
    expect(result.swapped).toBe(false);
    expect(loaded).toBe(false);
  });

  it('keeps serving the old engine when loading the new one fails', async () => {
    const v1 = fakeEngine('v1');
    const model = createActiveModel({ initial: v1 });
    await expect(
      model.swap('v2', async () => {
        throw new Error('corrupt artifact');
      }),
    ).rejects.toThrow('corrupt artifact');
    expect((await model.predict('hello')).modelVersion).toBe('v1');
    expect(v1.releaseCalls).toBe(0);

    // The queue of swaps is not stuck behind the failure.
    await model.swap('v2', async () => fakeEngine('v2'));
    expect(model.version).toBe('v2');
  });

  it('refuses an engine whose version is not the one asked for, and frees it', async () => {
    const model = createActiveModel({ initial: fakeEngine('v1') });
    const wrong = fakeEngine('v9');
    await expect(model.swap('v2', async () => wrong)).rejects.toMatchObject({
      code: 'MODEL_INVALID',
    });
    expect(wrong.releaseCalls).toBe(1);
    expect(model.version).toBe('v1');
  });

  it('close waits for predictions in flight, then releases the current engine', async () => {
    const v1 = fakeEngine('v1', { gated: true });
    const model = createActiveModel({ initial: v1 });
    const pending = model.predict('hello');
    const closing = model.close();
    await Promise.resolve();
    expect(v1.releaseCalls).toBe(0);
    v1.open();
    await expect(pending).resolves.toMatchObject({ modelVersion: 'v1' });
    await closing;
    expect(v1.releaseCalls).toBe(1);
    await expect(model.predict('hi')).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });
});
