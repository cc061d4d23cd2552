import { loadArtifact } from '../src/nlu/artifact.js';
import { packBatch } from '../src/nlu/encode.js';
import { createInferenceSession } from '../src/nlu/session.js';
import { loadDataset } from '../src/data/load.js';
import { Tensor } from 'onnxruntime-node';
const texts = (await loadDataset('models/default/data/nlu.yml')).examples.map((e) => e.text);
const art = await loadArtifact(process.argv[2]);
const f = art.featurizer;
let s = performance.now();
for (let i = 0; i < 1920; i++) f.encode(texts[i]);
console.log('encode ms/msg', ((performance.now() - s) / 1920).toFixed(4));
const session = await createInferenceSession(art.onnx, { threads: 1 });
const K = f.config.maxFeaturesPerToken;
const enc = texts.slice(0, 64 * 30).map((t) => f.encode(t));
s = performance.now();
let rowsTotal = 0;
for (let b = 0; b < 30; b++) {
  const p = packBatch(enc.slice(b * 64, b * 64 + 64), { featuresPerToken: K });
  rowsTotal += p.rows;
  await session.run({ featureIds: new Tensor('int64', p.featureIds, [p.batch, p.rows, K]), featureWeights: new Tensor('float32', p.featureWeights, [p.batch, p.rows, K]), tokenMask: new Tensor('float32', p.tokenMask, [p.batch, p.rows]), positions: new Tensor('int64', p.positions, [p.rows]) });
}
console.log('run ms/batch', ((performance.now() - s) / 30).toFixed(2), 'mean padded rows', rowsTotal / 30, 'mean rows', enc.reduce((a, e) => a + e.length, 0) / enc.length);
