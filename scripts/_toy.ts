import { train } from '../src/train/trainer.js';
import { createNluEngine } from '../src/nlu/runtime.js';
import type { Example } from '../src/data/example.js';

function ex(text: string, intent: string, ents: [string, string][] = []): Example {
  return {
    text,
    intent,
    entities: ents.map(([type, value]) => {
      const start = text.indexOf(value);
      return { type, value, start, end: start + value.length };
    }),
  };
}
const data: Example[] = [];
const ids = ['A1234', 'B5678', 'C9012', 'D3456', 'E7890', 'F1357'];
for (const id of ids) {
  data.push(ex(`where is my order ${id}`, 'order_status', [['order_id', id]]));
  data.push(ex(`track order ${id} please`, 'order_status', [['order_id', id]]));
  data.push(ex(`refund order ${id}`, 'refund_request', [['order_id', id]]));
  data.push(ex(`I want my money back for ${id}`, 'refund_request', [['order_id', id]]));
}
for (const g of ['hi', 'hello there', 'hey', 'good morning', 'hello', 'hi there'])
  data.push(ex(g, 'greet'));
const t0 = Date.now();
const result = await train({
  train: data,
  training: { epochs: 30, devFraction: 0, batchSize: 8, learningRate: 5e-3 },
  model: { hidden: 32, layers: 1, heads: 2, ffn: 64 },
  featurizer: { hashBuckets: 1024 },
  progress: 'none',
});
console.log(
  'trained in',
  Date.now() - t0,
  'ms',
  result.history.map((h) => h.trainLoss.toFixed(3)).join(' '),
);
const engine = await createNluEngine(result.artifact);
for (const text of ['where is my order Z9999', 'refund order Q1111 please', 'hello']) {
  const p = await engine.predict(text);
  console.log(text, '->', p.intent, JSON.stringify(p.entities));
}
let right = 0;
for (const e of data) {
  const p = await engine.predict(e.text);
  if (
    p.intent.name === e.intent &&
    JSON.stringify(p.entities.map((x) => [x.type, x.start, x.end])) ===
      JSON.stringify(e.entities.map((x) => [x.type, x.start, x.end]))
  )
    right++;
}
console.log('train acc', right, '/', data.length);
await engine.release();
