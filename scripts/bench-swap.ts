/**
 * Hot-swap benchmark (case C25): 200 predictions in flight while a promotion swaps the model,
 * then `--cycles` rollback/promote cycles with `--between` predictions after each swap, measuring
 * the process RSS after a forced GC.
 *
 *   node --expose-gc --import tsx scripts/bench-swap.ts [--model DIR] [--cycles 50] [--between 100]
 *
 * The registry runs on PGlite in a temporary folder, and swaps take the real path: promote or
 * roll back in the registry, the promotion is announced, the follower loads the new session and
 * the old one is released when its last prediction is done. v2 is the same artifact stored
 * again, so every swap creates a new onnxruntime session.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadDataset } from '../src/data/load.js';
import { loadArtifact } from '../src/nlu/artifact.js';
import { createActiveModel } from '../src/registry/active-model.js';
import { createModelRegistry } from '../src/registry/registry.js';
import { createModelVersionsRepo } from '../src/store/model-versions-repo.js';
import { openStore } from '../src/store/store.js';
import { createTrainingRunsRepo } from '../src/store/training-runs-repo.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const MODEL = option('model', 'models/default/model');
const DATA = option('data', 'models/default/data/nlu.yml');
const CYCLES = Number(option('cycles', '50'));
const BETWEEN = Number(option('between', '100'));

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx scripts/bench-swap.ts');

const MB = 1024 * 1024;
function rssAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().rss / MB;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-swap-'));
  const released: string[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { msg: string; version?: string };
        if (entry.msg === 'retired model released') released.push(entry.version ?? '?');
      },
    },
  );

  const store = await openStore({ dataDir: dir, logger: pino({ level: 'silent' }) });
  const repo = createModelVersionsRepo(store);
  const registry = createModelRegistry({ repo, listen: store, logger });
  await registry.ensureInitial(MODEL);
  const artifact = await loadArtifact(MODEL);
  const run = await createTrainingRunsRepo(store).create({ trigger: 'cli', requestedBy: 'bench' });
  await registry.addCandidate({ artifact, parentVersion: 1, runId: run!.id });
  const modelMb = artifact.onnx.byteLength / MB;

  const model = createActiveModel({ initial: await registry.loadEngine(1), logger });
  const stop = await registry.follow(model);
  const texts = (await loadDataset(DATA)).examples
    .slice(0, 400)
    .filter((_, i) => i % 20 === 0)
    .map((e) => e.text);
  const waitFor = async (version: string) => {
    while (model.version !== version) await new Promise((r) => setTimeout(r, 1));
    await model.drained();
  };
  const predict = (n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => model.predict(texts[i % texts.length])));
  await predict(50);

  // 200 requests in flight across a promotion: half sent before it, half while v2 loads and
  // serves (one every 10 ms), so both versions answer some.
  const started = performance.now();
  const sent: Promise<{ modelVersion: string }>[] = [];
  const send = () => sent.push(model.predict(texts[sent.length % texts.length]));
  for (let i = 0; i < 100; i++) send();
  const promoted = registry.promote(2);
  while (sent.length < 200 || model.version !== 'v2') {
    send();
    await new Promise((r) => setTimeout(r, 10));
  }
  for (let i = 0; i < 20; i++) send();
  await promoted;
  const settled = await Promise.allSettled(sent);
  const swapMs = performance.now() - started;
  await model.drained();
  const failed = settled.filter((r) => r.status === 'rejected').length;
  const versions: Record<string, number> = {};
  for (const r of settled) {
    if (r.status === 'fulfilled')
      versions[r.value.modelVersion] = (versions[r.value.modelVersion] ?? 0) + 1;
  }

  // cycles
  const baseline = rssAfterGc();
  const rss: number[] = [];
  const cycleStarted = performance.now();
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    await registry.rollback();
    await waitFor('v1');
    await predict(BETWEEN);
    await registry.promote(2);
    await waitFor('v2');
    await predict(BETWEEN);
    rss.push(rssAfterGc());
  }
  const cyclesSeconds = (performance.now() - cycleStarted) / 1000;

  await stop();
  await model.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  const slope = linearSlope(rss);
  const result = {
    model: MODEL,
    modelMb: round(modelMb),
    inFlight: { requests: settled.length, failed, versions, swapMs: round(swapMs) },
    cycles: CYCLES,
    predictionsBetweenSwaps: BETWEEN,
    swaps: CYCLES * 2 + 1,
    // every swap retires one engine, and closing at the end releases the last one
    released: released.length,
    rssMb: {
      afterFirstSwap: round(baseline),
      afterCycle1: round(rss[0]),
      max: round(Math.max(...rss)),
      last: round(rss.at(-1)!),
      growthOverBaseline: round(rss.at(-1)! - baseline),
      slopePerCycle: round(slope, 3),
    },
    bound: `last - afterFirstSwap < 1.5 x model size (${round(1.5 * modelMb)} MB)`,
    withinBound: rss.at(-1)! - baseline < 1.5 * modelMb,
    cyclesSeconds: round(cyclesSeconds),
  };
  console.log(JSON.stringify(result, null, 2));
  const everyReleaseOnce = released.length === result.swaps + 1;
  if (failed > 0 || !result.withinBound || !everyReleaseOnce) process.exitCode = 1;
}

/** Least-squares slope of `values` against their index (MB per cycle). */
function linearSlope(values: number[]): number {
  const n = values.length;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

await main();
