import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import {
  buildTrainingGraph,
  initialParams,
  noDecayParams,
  type ModelSpec,
  MODEL_DEFAULTS,
} from '../src/nlu/model.js';
import { grad } from '../src/train/graph/grad.js';
import { buildAdamW } from '../src/train/optimizer.js';
import { buildModel } from '../src/train/graph/export.js';
import { createRng } from '../src/train/rng.js';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const spec: ModelSpec = {
  config: { ...MODEL_DEFAULTS, ...cfg },
  featureCount: 5000,
  featuresPerToken: 24,
  intentCount: 20,
  tagCount: 150,
};
const params = initialParams(spec, createRng(1));
const tg = buildTrainingGraph(spec, params, { entityLossWeight: 1, labelSmoothing: 0 });
const g = tg.graph;
const ps = g.params.map((p) => p.value);
const grads = grad(g, tg.loss, ps);
const nd = new Set(noDecayParams(spec));
const adam = buildAdamW(
  g,
  ps,
  grads,
  { beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 },
  (n) => nd.has(n),
);
const outputs: Record<string, any> = { loss: tg.loss, gn: adam.gradNorm };
for (const s of adam.slots) {
  outputs[`new.${s.param.name}`] = s.newParam;
  outputs[`new.${s.m.name}`] = s.newM;
  outputs[`new.${s.v.name}`] = s.newV;
}
const bytes = buildModel(g, outputs, { params: 'inputs', graphName: 'x' });
const counts: Record<string, number> = {};
for (const n of g.nodes) counts[n.def.onnxType] = (counts[n.def.onnxType] ?? 0) + 1;
console.log('nodes', g.nodes.length, JSON.stringify(counts));
const session = await ort.InferenceSession.create(bytes, {
  graphOptimizationLevel: 'all',
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  enableProfiling: !!process.env.PROF,
  profileFilePrefix: '/tmp/nlu/prof',
});
const B = 32,
  T = 14,
  K = 24,
  H = spec.config.hidden;
const rng = createRng(2);
const feeds: Record<string, ort.Tensor> = {};
const ids = new BigInt64Array(B * T * K);
for (let i = 0; i < ids.length; i++) ids[i] = BigInt(rng.int(5000));
feeds.featureIds = new ort.Tensor('int64', ids, [B, T, K]);
feeds.featureWeights = new ort.Tensor('float32', new Float32Array(B * T * K).fill(0.2), [B, T, K]);
feeds.tokenMask = new ort.Tensor('float32', new Float32Array(B * T).fill(1), [B, T]);
feeds.positions = new ort.Tensor(
  'int64',
  BigInt64Array.from({ length: T }, (_, i) => BigInt(i)),
  [T],
);
feeds.intentLabels = new ort.Tensor('int64', new BigInt64Array(B), [B]);
feeds.intentWeights = new ort.Tensor('float32', new Float32Array(B).fill(1), [B]);
feeds.tagLabels = new ort.Tensor('int64', new BigInt64Array(B * T), [B, T]);
feeds.tagWeights = new ort.Tensor('float32', new Float32Array(B * T).fill(1), [B, T]);
for (const s of tg.dropoutSites)
  feeds[s] = new ort.Tensor('float32', new Float32Array(B * T * H).fill(1), [B, T, H]);
for (const p of g.params) {
  feeds[p.value.name] = new ort.Tensor('float32', p.init, p.value.shape as number[]);
}
for (const s of adam.slots) {
  const sh = s.param.shape as number[];
  const n = sh.reduce((a, b) => a * b, 1);
  feeds[s.m.name] = new ort.Tensor('float32', new Float32Array(n), sh);
  feeds[s.v.name] = new ort.Tensor('float32', new Float32Array(n), sh);
}
feeds[adam.lr.name] = new ort.Tensor('float32', Float32Array.of(1e-3), []);
feeds[adam.step.name] = new ort.Tensor('float32', Float32Array.of(1), []);
for (let i = 0; i < 3; i++) await session.run(feeds);
const t = performance.now();
const c = process.cpuUsage();
const N = 20;
for (let i = 0; i < N; i++) await session.run(feeds);
const cu = process.cpuUsage(c);
console.log(
  'ms/step',
  ((performance.now() - t) / N).toFixed(1),
  'cpu ms/step',
  ((cu.user + cu.system) / 1000 / N).toFixed(1),
);
if (process.env.PROF) console.log(session.endProfiling());
