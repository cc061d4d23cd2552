import { loadArtifact } from '../src/nlu/artifact.js';
import { forwardInputs, packBatch } from '../src/nlu/encode.js';
import { createInferenceSession } from '../src/nlu/session.js';
import { loadNluEngine, lengthGroups } from '../src/nlu/runtime.js';
import { loadDataset } from '../src/data/load.js';
const texts = (await loadDataset('models/default/data/nlu.yml')).examples.map((e) => e.text);
const art = await loadArtifact(process.argv[2]);
const f = art.featurizer;
const enc = texts.slice(0, 64 * 30).map((t) => f.encode(t));
let s = performance.now();
for (let i = 0; i < 1920; i++) f.encode(texts[i]);
console.log('encode ms/msg', ((performance.now() - s) / 1920).toFixed(4));
const session = await createInferenceSession(art.onnx, { threads: 1 });
const K = f.config.maxFeaturesPerToken;
const c0 = process.cpuUsage();
s = performance.now();
let runs = 0;
for (let b = 0; b < 30; b++) {
  const batch = enc.slice(b * 64, b * 64 + 64);
  for (const g of lengthGroups(batch.map((e) => e.length))) {
    runs++;
    await session.run(forwardInputs(packBatch(g.map((i) => batch[i]), { featuresPerToken: K })));
  }
}
const cu = process.cpuUsage(c0);
console.log('session ms/batch64', ((performance.now() - s) / 30).toFixed(2), 'cpu', ((cu.user + cu.system) / 1000 / 30).toFixed(2), 'runs/batch', runs / 30);
const engine = await loadNluEngine(process.argv[2], { threads: 1 });
for (let b = 0; b < 5; b++) await engine.predictBatch(texts.slice(b * 64, b * 64 + 64));
const c1 = process.cpuUsage();
s = performance.now();
for (let b = 0; b < 30; b++) await engine.predictBatch(texts.slice(b * 64, b * 64 + 64));
const cu1 = process.cpuUsage(c1);
console.log('predictBatch ms/batch64', ((performance.now() - s) / 30).toFixed(2), 'cpu', ((cu1.user + cu1.system) / 1000 / 30).toFixed(2));
