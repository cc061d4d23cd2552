/**
 * Step-time benchmark at the default model's size (not part of `npm test`):
 *   npx tsx test/train/bench-step.ts [steps] [cpu|cuda]
 * Batch 32, seq 24, K = 24 feature ids per token from a 32k × 128 table, 2 pre-LN transformer
 * layers of width 128, a 40-tag head and a 30-intent head.
 */
import os from 'node:os';
import { createStepTrainer } from '../../src/train/step-trainer.js';
import { buildTinyTransformer, tinyBatch, type TinyConfig } from './tiny-transformer.js';

const CONFIG: TinyConfig = {
  vocab: Number(process.env.BENCH_VOCAB ?? 32768),
  width: 128,
  heads: 4,
  layers: 2,
  ffn: 512,
  features: 24,
  maxSeq: 64,
  tags: 40,
  intents: 30,
  seed: 1,
};

const steps = Number(process.argv[2] ?? 30);
const device = (process.argv[3] ?? 'cpu') as 'cpu' | 'cuda';

const t0 = performance.now();
const model = buildTinyTransformer(CONFIG);
const trainer = await createStepTrainer({
  graph: model.graph,
  loss: model.loss,
  optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 },
  noDecay: (name) => name.endsWith('.b') || name.includes('.ln') || name.startsWith('final.'),
  device,
});
const t1 = performance.now();
// BENCH_UNIFORM=1 draws word ids uniformly (worst case for row updates)
const zipf = process.env.BENCH_UNIFORM !== '1';
const batches = Array.from({ length: 4 }, (_, i) => tinyBatch(CONFIG, 32, 24, i + 1, zipf));

const warmup = 3;
const times: number[] = [];
let cpuStart = process.cpuUsage();
let first = 0;
let last = 0;
for (let i = 0; i < warmup + steps; i++) {
  const start = performance.now();
  const r = await trainer.step(batches[i % batches.length], 1e-3);
  if (i === warmup - 1) cpuStart = process.cpuUsage();
  if (i >= warmup) times.push(performance.now() - start);
  if (i === 0) first = r.loss;
  last = r.loss;
}
const cpu = process.cpuUsage(cpuStart);
await trainer.release();

times.sort((a, b) => a - b);
const mean = times.reduce((a, b) => a + b, 0) / times.length;
const params = model.graph.params.reduce((n, p) => n + p.init.length, 0);
console.log(
  JSON.stringify({
    device,
    zipf,
    params,
    buildAndSessionMs: Math.round(t1 - t0),
    steps,
    meanMs: Number(mean.toFixed(1)),
    medianMs: Number(times[times.length >> 1].toFixed(1)),
    minMs: Number(times[0].toFixed(1)),
    // CPU time of the whole process (all ORT threads) per step: less sensitive to other load
    cpuMsPerStep: Number(((cpu.user + cpu.system) / 1000 / steps).toFixed(1)),
    loadAverage: os.loadavg()[0],
    firstLoss: first,
    lastLoss: last,
  }),
);
