import { loadNluEngine } from '../src/nlu/runtime.js';
import { loadDataset } from '../src/data/load.js';
const texts = (await loadDataset('models/default/data/nlu.yml')).examples.map((e) => e.text);
for (const threads of [1, 2]) {
  const engine = await loadNluEngine(process.argv[2], { threads });
  for (const t of texts.slice(0, 300)) await engine.predict(t);
  const lat: number[] = [];
  for (let i = 0; i < 2000; i++) { const s = performance.now(); await engine.predict(texts[i % texts.length]); lat.push(performance.now() - s); }
  lat.sort((a, b) => a - b);
  const s = performance.now();
  for (let b = 0; b < 30; b++) await engine.predictBatch(texts.slice(b * 64, b * 64 + 64));
  const tp = 30 * 64 / ((performance.now() - s) / 1000);
  console.log({ threads, p50: lat[1000].toFixed(3), p99: lat[1980].toFixed(3), batchMsgPerS: tp.toFixed(0) });
  await engine.release();
}
