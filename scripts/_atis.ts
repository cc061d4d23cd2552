import { readFileSync } from 'node:fs';
import { train } from '../src/train/trainer.js';
import { createNluEngine } from '../src/nlu/runtime.js';
import { evaluate, type EvalItem } from '../src/eval/metrics.js';
import type { Example } from '../src/data/example.js';

const root = '/work/shared/datasets/atis';
function read(split: string): Example[] {
  const lines = (f: string) => readFileSync(`${root}/${split}/${f}`, 'utf8').trim().split('\n');
  const ins = lines('seq.in'),
    outs = lines('seq.out'),
    labels = lines('label');
  return ins.map((line, i) => {
    const words = line.trim().split(/\s+/),
      tags = outs[i].trim().split(/\s+/);
    let text = '';
    const starts: number[] = [];
    words.forEach((w, j) => {
      if (j) text += ' ';
      starts.push(text.length);
      text += w;
    });
    const entities: Example['entities'] = [];
    let cur: { type: string; start: number; end: number } | undefined;
    tags.forEach((t, j) => {
      const end = starts[j] + words[j].length;
      if (t.startsWith('B-') || (t.startsWith('I-') && (!cur || cur.type !== t.slice(2)))) {
        if (cur) entities.push({ ...cur, value: text.slice(cur.start, cur.end) });
        cur = { type: t.slice(2), start: starts[j], end };
      } else if (t.startsWith('I-') && cur) cur.end = end;
      else {
        if (cur) entities.push({ ...cur, value: text.slice(cur.start, cur.end) });
        cur = undefined;
      }
    });
    if (cur) entities.push({ ...cur, value: text.slice(cur.start, cur.end) });
    const intent = labels[i].split('#').sort().join('#');
    return { text, intent, entities };
  });
}
const args = JSON.parse(process.argv[2] ?? '{}');
const t0 = Date.now();
const result = await train({ train: read('train'), dev: read('dev'), progress: 'log', ...args });
const trainMs = Date.now() - t0;
const engine = await createNluEngine(result.artifact);
const test = read('test');
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
  JSON.stringify({
    trainMs,
    epochs: result.history.length,
    best: result.artifact.manifest.training.bestEpoch,
    intentAcc: ev.intent.accuracy,
    slotF1: ev.entities.f1,
    onnxMB: result.artifact.onnx.byteLength / 1e6,
  }),
);
await engine.release();
