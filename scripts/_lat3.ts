import { loadArtifact } from '../src/nlu/artifact.js';
import { packBatch } from '../src/nlu/encode.js';
import { loadDataset } from '../src/data/load.js';
import ort from 'onnxruntime-node';
const texts = (await loadDataset('models/default/data/nlu.yml')).examples.map((e) => e.text);
const art = await loadArtifact(process.argv[2]);
const f = art.featurizer;
const session = await ort.InferenceSession.create(art.onnx, { intraOpNumThreads: 1, graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: '/tmp/nlu/inf', optimizedModelFilePath: '/tmp/nlu/opt.onnx' });
const K = f.config.maxFeaturesPerToken;
const enc = texts.slice(0, 64 * 30).map((t) => f.encode(t));
let s = performance.now();
for (let i = 0; i < 1920; i++) f.encode(texts[i]);
console.log('encode ms/msg (warm)', ((performance.now() - s) / 1920).toFixed(4));
for (let b = 0; b < 30; b++) {
  const p = packBatch(enc.slice(b * 64, b * 64 + 64), { featuresPerToken: K });
  await session.run({ featureIds: new ort.Tensor('int64', p.featureIds, [p.batch, p.rows, K]), featureWeights: new ort.Tensor('float32', p.featureWeights, [p.batch, p.rows, K]), tokenMask: new ort.Tensor('float32', p.tokenMask, [p.batch, p.rows]), positions: new ort.Tensor('int64', p.positions, [p.rows]) });
}
session.endProfiling();
