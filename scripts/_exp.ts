// Scratch experiment runner (not committed): node scripts/_exp.ts <atis|banking> '<json options>'
import { loadDataset } from '../src/data/load.js';
import { train } from '../src/train/trainer.js';
import { createNluEngine } from '../src/nlu/runtime.js';
import { evaluate, type EvalItem } from '../src/eval/metrics.js';
import { carveDev } from '../src/train/training-data.js';
import { createRng } from '../src/train/rng.js';
const which = process.argv[2];
const args = JSON.parse(process.argv[3] ?? '{}');
const D = '/work/shared/datasets';
let trainSet, dev, test;
if (which === 'atis') {
  trainSet = (await loadDataset(`${D}/atis/train`)).examples;
  dev = (await loadDataset(`${D}/atis/dev`)).examples;
  test = (await loadDataset(`${D}/atis/test`)).examples;
} else {
  const all = (await loadDataset(`${D}/banking77/train.csv`)).examples;
  const split = carveDev(all, 0.1, createRng(1));
  trainSet = split.train;
  dev = split.dev;
  test = (await loadDataset(`${D}/banking77/test.csv`)).examples;
}
const t0 = Date.now();
const c0 = process.cpuUsage();
const result = await train({ train: trainSet, dev, progress: 'log', ...args });
const cu = process.cpuUsage(c0);
const trainMs = Date.now() - t0;
const engine = await createNluEngine(result.artifact);
const items: EvalItem[] = [];
for (let i = 0; i < test.length; i += 64) {
  const chunk = test.slice(i, i + 64);
  const preds = await engine.predictBatch(chunk.map((e) => e.text));
  chunk.forEach((e, j) =>
    items.push({
      text: e.text,
      gold: { intent: e.intent, entities: e.entities },
      predicted: { intent: preds[j].ranking[0].name, entities: preds[j].entities },
    }),
  );
}
const ev = evaluate(items);
console.log(
  'RESULT',
  JSON.stringify({
    which,
    args,
    trainMs,
    cpuS: (cu.user + cu.system) / 1e6,
    epochs: result.history.length,
    best: result.artifact.manifest.training.bestEpoch,
    dev: result.artifact.manifest.metrics.devIntentAccuracy,
    intentAcc: ev.intent.accuracy,
    slotF1: ev.entities.f1,
    onnxMB: result.artifact.onnx.byteLength / 1e6,
  }),
);
await engine.release();
