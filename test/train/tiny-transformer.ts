/**
 * A DIET-like joint tagger used by the trainer tests and the step benchmark: hashed feature ids
 * summed from one embedding table, a pre-LN transformer encoder, a tag head on every token and
 * an intent head on the first (CLS) token. Layouts: ids [batch, seq, K], hidden
 * [batch, seq, width], attention scores [batch, heads, seq, seq].
 */
import * as ort from 'onnxruntime-node';
import { Graph, type Value } from '../../src/train/graph/graph.js';
import * as op from '../../src/train/graph/ops/index.js';
import { rng } from './graph/grad-check.js';

export interface TinyConfig {
  vocab: number;
  width: number;
  heads: number;
  layers: number;
  ffn: number;
  features: number;
  maxSeq: number;
  tags: number;
  intents: number;
  seed: number;
}

export interface TinyModel {
  graph: Graph;
  loss: Value;
  tagLogits: Value;
  intentLogits: Value;
}

export function buildTinyTransformer(cfg: TinyConfig): TinyModel {
  const g = new Graph();
  const random = rng(cfg.seed);
  const init = (shape: number[], scale: number): Float32Array =>
    Float32Array.from(
      { length: shape.reduce((a, b) => a * b, 1) },
      () => (2 * random() - 1) * scale,
    );
  const dense = (name: string, inDim: number, outDim: number) => ({
    w: g.param(`${name}.w`, [inDim, outDim], init([inDim, outDim], Math.sqrt(3 / inDim))),
    b: g.param(`${name}.b`, [outDim], new Float32Array(outDim)),
  });
  const apply = (l: { w: Value; b: Value }, x: Value): Value => op.add(op.matMul(x, l.w), l.b);
  const norm = (name: string, x: Value): Value =>
    op.layerNorm(
      x,
      g.param(`${name}.gamma`, [cfg.width], new Float32Array(cfg.width).fill(1)),
      g.param(`${name}.beta`, [cfg.width], new Float32Array(cfg.width)),
    );

  // inputs
  const ids = g.input('ids', 'int64', ['batch', 'seq', cfg.features]);
  const positions = g.input('positions', 'int64', ['seq']);
  const mask = g.input('mask', 'float32', ['batch', 'seq']);
  const tagLabels = g.input('tag_labels', 'int64', ['batch', 'seq']);
  const intentLabels = g.input('intent_labels', 'int64', ['batch']);
  const intentWeights = g.input('intent_weights', 'float32', ['batch']);

  // embeddings: sum of K feature rows plus a position row
  const table = g.param(
    'embed.features',
    [cfg.vocab, cfg.width],
    init([cfg.vocab, cfg.width], 0.1),
  );
  const posTable = g.param(
    'embed.positions',
    [cfg.maxSeq, cfg.width],
    init([cfg.maxSeq, cfg.width], 0.1),
  );
  let x = op.add(op.reduceSum(op.gather(table, ids), [2]), op.gather(posTable, positions));

  const bias = op.attentionBias(mask);
  const dh = cfg.width / cfg.heads;
  for (let l = 0; l < cfg.layers; l++) {
    const name = `layer${l}`;
    const h = norm(`${name}.ln1`, x);
    const split = (v: Value): Value => op.reshape(v, [0, 0, cfg.heads, dh]);
    const q = op.transpose(split(apply(dense(`${name}.q`, cfg.width, cfg.width), h)), [0, 2, 1, 3]);
    const k = op.transpose(split(apply(dense(`${name}.k`, cfg.width, cfg.width), h)), [0, 2, 3, 1]);
    const v = op.transpose(split(apply(dense(`${name}.v`, cfg.width, cfg.width), h)), [0, 2, 1, 3]);
    const scores = op.add(op.mul(op.matMul(q, k), 1 / Math.sqrt(dh)), bias);
    const ctx = op.transpose(op.matMul(op.softmax(scores, -1), v), [0, 2, 1, 3]);
    x = op.add(
      x,
      apply(dense(`${name}.out`, cfg.width, cfg.width), op.reshape(ctx, [0, 0, cfg.width])),
    );
    const hidden = op.gelu(
      apply(dense(`${name}.ffn1`, cfg.width, cfg.ffn), norm(`${name}.ln2`, x)),
    );
    x = op.add(x, apply(dense(`${name}.ffn2`, cfg.ffn, cfg.width), hidden));
  }
  x = norm('final', x);

  // heads: tags on every real token, intent on the CLS token at position 0
  const tagLogits = apply(dense('tag', cfg.width, cfg.tags), x);
  const intentLogits = apply(
    dense('intent', cfg.width, cfg.intents),
    op.squeeze(op.sliceAxis(x, 1, 0, 1), [1]),
  );
  const tagLoss = op.crossEntropy(
    op.reshape(tagLogits, [-1, cfg.tags]),
    op.reshape(tagLabels, [-1]),
    op.reshape(mask, [-1]),
  );
  const intentLoss = op.crossEntropy(intentLogits, intentLabels, intentWeights);
  return { graph: g, loss: op.add(tagLoss, intentLoss), tagLogits, intentLogits };
}

/**
 * A synthetic batch whose tags and intents are functions of the feature ids (learnable). Word
 * ids are uniform, or log-uniform with `zipf` (realistic: few distinct rows per batch).
 */
export function tinyBatch(
  cfg: TinyConfig,
  batch: number,
  seq: number,
  seed: number,
  zipf = false,
): Record<string, ort.Tensor> {
  const random = rng(seed);
  const ids = new BigInt64Array(batch * seq * cfg.features);
  const tags = new BigInt64Array(batch * seq);
  const intents = new BigInt64Array(batch);
  const mask = new Float32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    const len = Math.max(2, Math.floor(seq * (0.5 + random() / 2)));
    for (let s = 0; s < seq; s++) {
      // log-uniform word ids: a few words are frequent and most are rare, as in real text
      const word = zipf
        ? Math.floor(Math.pow(cfg.vocab, random())) - 1
        : Math.floor(random() * cfg.vocab);
      for (let k = 0; k < cfg.features; k++) {
        // the first id names the word; the rest are hashed "n-grams" of it
        ids[(b * seq + s) * cfg.features + k] = BigInt(
          k === 0 ? word : (word * 31 + k * 17) % cfg.vocab,
        );
      }
      tags[b * seq + s] = BigInt(word % cfg.tags);
      mask[b * seq + s] = s < len ? 1 : 0;
    }
    intents[b] = BigInt(Number(ids[b * seq * cfg.features + cfg.features]) % cfg.intents);
  }
  return {
    ids: new ort.Tensor('int64', ids, [batch, seq, cfg.features]),
    positions: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: seq }, (_, i) => BigInt(i)),
      [seq],
    ),
    mask: new ort.Tensor('float32', mask, [batch, seq]),
    tag_labels: new ort.Tensor('int64', tags, [batch, seq]),
    intent_labels: new ort.Tensor('int64', intents, [batch]),
    intent_weights: new ort.Tensor('float32', new Float32Array(batch).fill(1), [batch]),
  };
}
