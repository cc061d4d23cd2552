/**
 * The joint intent + entity model: a bag of sparse token features, learned positions, a small
 * pre-norm transformer encoder, and two heads read from the same encoder output: the intent
 * head on the `__CLS__` row and the entity (BIO tag) head on every token row.
 *
 * Tensor layouts (B = batch, T = rows per message = tokens + 1, K = feature slots per row,
 * H = hidden width, N = attention heads, D = H / N, C = intents, S = tags, R = real rows of the
 * whole batch):
 *
 *   forward inputs (exported graph; rows packed: message after message, no padding)
 *     featureIds      int64   [U, K]     the batch's distinct rows of featurizer ids (0 = empty
 *                                        slot); a word's row comes back in many messages
 *     rowScale        float32 [U]        1/sqrt(ids in the row)
 *     bagRows         int64   [R]        the distinct row (of featureIds) of each packed row; a
 *                                        message's first row is its __CLS__ row
 *     positions       int64   [R]        each row's position in its message, 0 = __CLS__
 *     tokenMask       float32 [B, T]     1 where message b has a row t, 0 past its end
 *     slotRows        int64   [B*T]      packed row of padded slot b*T + t (any row past the end)
 *     rowSlots        int64   [R]        padded slot b*T + t of each packed row
 *     windowRows      int64   [R, 2r+1]  with a local window of radius r: the packed rows at
 *                                        offsets -r .. r in the same message, or R (a zero row)
 *   forward outputs
 *     intentLogits    float32 [B, C]     from each message's __CLS__ row (and mean of its rows)
 *     tagLogits       float32 [R, S]     per packed row; a __CLS__ row's tags are never read
 *   training inputs (padded: every message has T rows)
 *     tokenMask       float32 [B, T],    positions int64 [T] (0 .. T-1)
 *     <table>         float32 [V, D]     each sparse table (the feature table, D = H, and the
 *                                        wide table, D = C), kept and updated outside the graph
 *     featureIds      int64   [B, T, K]  as in forward, padded
 *     featureWeights  float32 [B, T, K]  each slot's weight in its row's bag (0 when dropped)
 *     intentLabels    int64   [B],   intentWeights float32 [B]    (weights sum to 1 per batch)
 *     tagLabels       int64   [B, T], tagWeights   float32 [B, T] (0 at __CLS__ and padding)
 *     drop.<site>     float32 [B, T, H]  inverted dropout masks: 0 or 1/(1-p), drawn in JS
 *   training outputs: intentLogits [B, C], tagLogits [B, T, S]
 *
 * Both graphs compute the same function (`RowLayout` below). Every per-row operation (feature
 * bags, norms, linear layers, GELU, heads) runs on the layout's rows: [B, T, *] in training,
 * where batches are bucketed by length, and [R, *] in the exported graph, so a batch of messages
 * of different lengths costs the matrix products of its real rows only and runs in one session
 * call. The operations across rows (the local window, attention, intent pooling) read a padded
 * [B, T, *] view, which the packed graph gathers through `slotRows` and scatters back through
 * `rowSlots` (attention's per-head views are gathered straight from the rows, `packedRows`);
 * those views are small next to the products.
 *
 * Padding is masked: padding slots add nothing to the feature bag, padding rows get a large
 * negative attention bias so no real row attends to them, and pooling and the local window zero
 * them. Padding rows still produce (unused) outputs in training; their tag weights are 0, so
 * they add nothing to the loss.
 *
 * The feature bag is computed two ways with the same result. Training weighs every slot,
 * 1/sqrt(kept ids in the row) at kept ids, which lets feature dropout leave single ids out, and
 * trains the tables outside the graph from the bags' gradients (train/host-table.ts). The
 * exported graph sums the gathered rows of each distinct id row and scales the sum once per row
 * (`rowScale`), which skips a [U, K, H] multiply, then copies the bags out to the packed rows
 * (`bagRows`); it relies on row 0 of the feature table (the padding id) being zero, which
 * `exportWeights` guarantees. A batch of 64 shop messages has about a third as many distinct
 * rows as rows (a fifth in ATIS and Banking77), and the bags were the largest cost after the
 * matrix products.
 */
import { Graph, graphOf, type Value } from '../train/graph/graph.js';
import {
  add,
  attentionBias,
  concat,
  crossEntropy,
  div,
  logSoftmax,
  maximum,
  neg,
  reduceMean,
  gather,
  gelu,
  layerNorm,
  matMul,
  mul,
  reduceSum,
  reshape,
  reshapeLike,
  reshapeTo,
  shapeOf,
  sliceAxis,
  softmax,
  squeeze,
  transpose,
  unsqueeze,
} from '../train/graph/ops/index.js';
import { sparseBag } from '../train/host-table.js';
import type { Rng } from '../train/rng.js';

export interface ModelConfig {
  /** Width of every token vector (H). 64..256; must be a multiple of `heads`. */
  hidden: number;
  /** Transformer encoder layers. 0..4; 0 leaves the tokens without context (a measured option). */
  layers: number;
  /** Attention heads per layer (N). 1..8. */
  heads: number;
  /** Inner width of each feed-forward block. Usually 2 to 4 times `hidden`. */
  ffn: number;
  /** Learned positions; must be at least the featurizer's maxTokens + 1 (the __CLS__ row). */
  maxPositions: number;
  /** Dropout on the embeddings, every sublayer output and the heads' input, 0..0.5. */
  dropout: number;
  /** Chance that one sparse feature id of a token is left out in a training step, 0..0.5. */
  featureDropout: number;
  /**
   * Chance that all features of a token are left out in a training step (word dropout; the
   * row keeps its position and its tag), 0..0.3. Teaches intent and tags from context.
   */
  tokenDropout: number;
  /**
   * What the intent head reads: the __CLS__ row alone, or the __CLS__ row next to the mean of
   * all real rows (a [2H, C] head).
   */
  intentPooling: 'cls' | 'cls+mean';
  /**
   * Adds a linear "wide" path to the intent: a [featureCount, C] table whose rows for a
   * message's feature ids are summed like the feature bag and averaged over its rows, a
   * logistic regression over the same sparse features next to the encoder.
   */
  wideIntent: boolean;
  /**
   * Neighbouring tokens mixed into every row before the encoder: 0 (off), or the radius r of one
   * residual block that reads rows i-r .. i+r side by side through one [(2r+1)H, H] projection.
   * A cheap, exact view of local order ("from X" / "to Y") that learned absolute positions give
   * only slowly. 0..2.
   */
  localWindow: 0 | 1 | 2;
  /**
   * Whether the tag head reads each final row next to its neighbours (the local window's radius,
   * which must then be above 0) through one [(2r+1)H, S] projection, instead of the row alone.
   */
  tagWindow: boolean;
}

export const MODEL_DEFAULTS: Readonly<ModelConfig> = Object.freeze({
  hidden: 128,
  layers: 2,
  heads: 4,
  ffn: 256,
  maxPositions: 65,
  dropout: 0.1,
  featureDropout: 0.1,
  tokenDropout: 0,
  intentPooling: 'cls+mean',
  wideIntent: true,
  localWindow: 1,
  tagWindow: false,
});

/** Everything that fixes the shapes of the model's parameters. */
export interface ModelSpec {
  config: ModelConfig;
  /** Size of the featurizer's id space (rows of the feature table). */
  featureCount: number;
  /** K: feature slots per row. */
  featuresPerToken: number;
  intentCount: number;
  tagCount: number;
}

export const OUTPUT_NAMES = ['intentLogits', 'tagLogits'] as const;

/** Parameter names of the two heads, whose last dimension grows with new labels. */
export const HEAD_PARAMS = {
  intent: { weight: 'intent.head.w', bias: 'intent.head.b' },
  entity: { weight: 'entity.head.w', bias: 'entity.head.b' },
} as const;
export const FEATURE_TABLE = 'embed.features';
export const WIDE_TABLE = 'intent.wide';
export const POSITION_TABLE = 'embed.positions';

const LAYER_NORM_EPSILON = 1e-5;

// ---- parameters ----

type Init = 'embedding' | 'linear' | 'output' | 'zeros' | 'ones';

interface ParamDef {
  shape: number[];
  init: Init;
  /** Whether AdamW's weight decay applies (matrices yes; biases, norms no). */
  decay: boolean;
}

/** Every parameter's shape and initialisation, in a fixed order (names are stable). */
export function paramDefs(spec: ModelSpec): Map<string, ParamDef> {
  const { hidden: h, ffn, layers, maxPositions } = spec.config;
  const defs = new Map<string, ParamDef>();
  const matrix = (name: string, shape: number[], init: Init = 'linear') =>
    defs.set(name, { shape, init, decay: true });
  const vector = (name: string, size: number, init: Init) =>
    defs.set(name, { shape: [size], init, decay: false });

  matrix(FEATURE_TABLE, [spec.featureCount, h], 'embedding');
  matrix(POSITION_TABLE, [maxPositions, h], 'embedding');
  vector('embed.norm.g', h, 'ones');
  vector('embed.norm.b', h, 'zeros');
  // Rows i-r .. i+r side by side: the input width of the local block and of a windowed tag head.
  const windowWidth = (2 * spec.config.localWindow + 1) * h;
  if (spec.config.localWindow > 0) {
    vector('local.norm.g', h, 'ones');
    vector('local.norm.b', h, 'zeros');
    matrix('local.w', [windowWidth, h], 'output');
    vector('local.b', h, 'zeros');
  }
  for (let l = 0; l < layers; l++) {
    const p = `encoder.${l}`;
    vector(`${p}.attn.norm.g`, h, 'ones');
    vector(`${p}.attn.norm.b`, h, 'zeros');
    matrix(`${p}.attn.qkv.w`, [h, 3 * h]);
    vector(`${p}.attn.qkv.b`, 3 * h, 'zeros');
    matrix(`${p}.attn.out.w`, [h, h], 'output');
    vector(`${p}.attn.out.b`, h, 'zeros');
    vector(`${p}.ffn.norm.g`, h, 'ones');
    vector(`${p}.ffn.norm.b`, h, 'zeros');
    matrix(`${p}.ffn.in.w`, [h, ffn]);
    vector(`${p}.ffn.in.b`, ffn, 'zeros');
    matrix(`${p}.ffn.out.w`, [ffn, h], 'output');
    vector(`${p}.ffn.out.b`, h, 'zeros');
  }
  vector('final.norm.g', h, 'ones');
  vector('final.norm.b', h, 'zeros');
  const pooled = spec.config.intentPooling === 'cls+mean' ? 2 * h : h;
  matrix(HEAD_PARAMS.intent.weight, [pooled, spec.intentCount]);
  vector(HEAD_PARAMS.intent.bias, spec.intentCount, 'zeros');
  if (spec.config.wideIntent) {
    defs.set(WIDE_TABLE, {
      shape: [spec.featureCount, spec.intentCount],
      init: 'zeros',
      decay: true,
    });
  }
  matrix(HEAD_PARAMS.entity.weight, [spec.config.tagWindow ? windowWidth : h, spec.tagCount]);
  vector(HEAD_PARAMS.entity.bias, spec.tagCount, 'zeros');
  return defs;
}

/** Names of the parameters AdamW must not decay. */
export function noDecayParams(spec: ModelSpec): string[] {
  return [...paramDefs(spec)].filter(([, def]) => !def.decay).map(([name]) => name);
}

/**
 * Fresh parameters from `rng`: embeddings N(0, 0.02^2) as in BERT; linear layers Glorot-normal;
 * the projections that write into the residual stream are scaled down by 1/sqrt(2 * layers) so
 * the stream's variance does not grow with depth.
 */
export function initialParams(spec: ModelSpec, rng: Rng): Map<string, Float32Array> {
  const params = new Map<string, Float32Array>();
  const depthScale = 1 / Math.sqrt(2 * Math.max(1, spec.config.layers));
  for (const [name, def] of paramDefs(spec)) {
    params.set(name, initTensor(def, rng.fork(name), depthScale));
  }
  return params;
}

function initTensor(def: ParamDef, rng: Rng, depthScale: number): Float32Array {
  const size = def.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  if (def.init === 'zeros') return data;
  if (def.init === 'ones') return data.fill(1);

  const [fanIn, fanOut] = def.shape;
  let std = def.init === 'embedding' ? 0.02 : Math.sqrt(2 / (fanIn + fanOut));
  if (def.init === 'output') std *= depthScale;
  for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
  return data;
}

// ---- graphs ----

interface ModelInputs {
  /** Forward: distinct id rows [U,K], their scale [U], and each packed row's one of them [R]. */
  featureIds?: Value;
  rowScale?: Value;
  bagRows?: Value;
  /** Forward, with a local window: each packed row's neighbours [R, 2r+1] (top of this file). */
  windowRows?: Value;
  /** Training: per sparse table, its input [V,D] and its feature bag [B,T,D] from slot weights. */
  sparse?: Map<string, { table: Value; bag: Value }>;
  tokenMask: Value;
  positions: Value;
  layout: RowLayout;
}

/**
 * How a graph holds its rows (top of this file): padded [B,T,*] in training, packed [R,*] in the
 * exported graph. The operations across rows go through a padded view.
 */
interface RowLayout {
  /** How far below its own score attention puts a padding key (attentionBias). */
  paddingScore: number;
  /** The [B,T,W] view of rows of width W; padding rows hold any values, so mask them. */
  padded(rows: Value): Value;
  /** The rows of a [B,T,W] view. */
  rows(padded: Value): Value;
  /**
   * Attention's per-head views [B,N,T,D] of queries, keys and values, from the rows of the QKV
   * projection (width 3H: all heads' queries, then keys, then values).
   */
  heads(qkv: Value, n: number): { q: Value; k: Value; v: Value };
  /** The rows (width H = N·D) of attention's per-head output [B,N,T,D]. */
  mergeHeads(context: Value): Value;
}

/**
 * The exported graph's padding slots copy the batch's first row (a __CLS__ row, `slotRows`), so
 * a padding key scores about as a real __CLS__ key does, and 50 below that leaves it a weight
 * near e^-50 ≈ 2e-22 beside the real keys' total of at least 1: nothing at float32 precision
 * (the shipped model's predictions are identical to the last bit with 1e9). A gap of 1e9 is
 * slower, not safer: onnxruntime's softmax clamps exp near e^-88, whose results are subnormal
 * floats, and x86 arithmetic on those takes a slow path. Batches of 64 shop messages, one
 * thread: the session takes 5.51 ms a batch with 1e9, 5.00 ms with 50, 6.50 ms with 80.
 * Training keeps the exact 1e9: its padding rows are computed from empty features and can score
 * anything (with 50 there, ATIS over five seeds gave intent 96.96% against 97.24%).
 */
const FORWARD_PADDING_SCORE = 50;

const PADDED_ROWS: RowLayout = {
  paddingScore: 1e9,
  padded: (x) => x,
  rows: (x) => x,
  heads(qkv, n) {
    const d = (qkv.shape[2] as number) / (3 * n);
    // [B,T,3H] -> [B,T,3,N,D] -> [3,B,N,T,D]
    const split = transpose(reshape(qkv, ['batch', 'rows', 3, n, d]), [2, 0, 3, 1, 4]);
    const part = (i: number) => squeeze(sliceAxis(split, 0, i, i + 1), [0]);
    return { q: part(0), k: part(1), v: part(2) };
  },
  mergeHeads(context) {
    const [, n, , d] = context.shape as number[];
    return reshape(transpose(context, [0, 2, 1, 3]), ['batch', 'rows', n * d]);
  },
};

/**
 * Packed rows [R,W] to and from the padded view, through the index inputs slotRows and rowSlots.
 * Attention's per-head views are gathered straight from the rows, each head's D values of a row
 * being one row of the QKV rows seen as [R·3N, D], and gathered back the same way, so the
 * exported graph has no head transposes: a gather moves the same bytes a transpose would, and
 * the splits, squeezes and reshapes around the transposes go too. Measured on batches of 64 shop
 * messages, one thread: 7.93 -> 7.51 ms a batch, predictions unchanged to the last bit.
 */
function packedRows(tokenMask: Value, slotRows: Value, rowSlots: Value): RowLayout {
  const g = graphOf('packedRows', tokenMask);
  // Built once per width and per head count, and shared by every layer.
  const paddedShape = memoized((width: number) => concat([shapeOf(tokenMask), g.ints([width])], 0));
  const indexesFor = memoized((n: number) => headGatherIndexes(tokenMask, slotRows, rowSlots, n));
  return {
    paddingScore: FORWARD_PADDING_SCORE,
    padded(x) {
      const width = x.shape[1] as number;
      return reshapeTo(gather(x, slotRows), paddedShape(width), ['batch', 'rows', width]);
    },
    rows(x) {
      const width = x.shape[2] as number;
      return gather(reshape(x, [-1, width]), rowSlots);
    },
    heads(qkv, n) {
      const d = (qkv.shape[1] as number) / (3 * n);
      const pieces = reshape(qkv, [-1, d]); // [R·3N, D]
      const [q, k, v] = indexesFor(n).qkv.map((index) => gather(pieces, index));
      return { q, k, v };
    },
    mergeHeads(context) {
      const [, n, , d] = context.shape as number[];
      const pieces = reshape(context, [-1, d]); // [B·N·T, D]
      return reshape(gather(pieces, indexesFor(n).rows), [-1, n * d]);
    },
  };
}

/**
 * Where attention's per-head views read the packed rows, and where the rows read them back.
 * With the padded slot b·T + t of a row r (slotRows[b·T + t] = r, rowSlots[r] = b·T + t):
 * - head h of the query of slot (b, t) is piece r·3N + h of the QKV rows as [R·3N, D] (keys at
 *   + N, values at + 2N): an index [B,N,T] each;
 * - head h of row r's output is piece (b·N + h)·T + t of the output [B,N,T,D] as [B·N·T, D],
 *   which is rowSlots[r] + (b·(N-1) + h)·T with b = rowSlots[r] div T: an index [R,N].
 */
function headGatherIndexes(
  tokenMask: Value,
  slotRows: Value,
  rowSlots: Value,
  n: number,
): { qkv: Value[]; rows: Value } {
  const g = graphOf('headGatherIndexes', tokenMask);
  const heads = g.ints(Array.from({ length: n }, (_, h) => h));
  const slotPieces = mul(unsqueeze(reshapeLike(slotRows, tokenMask), [1]), 3 * n); // [B,1,T]
  const headColumn = reshape(heads, [1, n, 1]);
  const qkv = [0, 1, 2].map((part) => add(slotPieces, add(headColumn, part * n))); // [B,N,T]
  const t = shapeOf(tokenMask, 1, 2); // [1]
  const message = div(rowSlots, t); // [R]
  const block = add(mul(unsqueeze(message, [1]), n - 1), reshape(heads, [1, n])); // [R,N]
  const rows = add(unsqueeze(rowSlots, [1]), mul(block, t));
  return { qkv, rows };
}

/** `make`, called once per distinct key: graph values built once and read by every layer. */
function memoized<V>(make: (key: number) => V): (key: number) => V {
  const made = new Map<number, V>();
  return (key) => {
    if (!made.has(key)) made.set(key, make(key));
    return made.get(key) as V;
  };
}

interface BuiltModel {
  graph: Graph;
  intentLogits: Value;
  tagLogits: Value;
}

export interface TrainingGraph extends BuiltModel {
  /** intentLoss + entityLossWeight * entityLoss */
  loss: Value;
  intentLoss: Value;
  entityLoss: Value;
  /** Names of the dropout-mask inputs, each `[B, T, H]`. */
  dropoutSites: string[];
  /**
   * Per sparse table (the feature table, and the wide table when on): its input `[V, D]` and its
   * bag `[B, T, D]`, whose gradient trains the table outside the graph (train/host-table.ts).
   */
  sparse: Map<string, { table: Value; bag: Value }>;
}

/** The forward graph that is exported: inputs to logits, no dropout, no loss. */
export function buildForwardGraph(
  spec: ModelSpec,
  params: ReadonlyMap<string, Float32Array>,
): BuiltModel {
  const graph = new Graph();
  const inputs = declareInputs(graph, spec, 'forward');
  const weights = declareParams(graph, spec, params);
  const { intentLogits, tagLogits } = encodeAndPredict(spec, inputs, weights, undefined);
  return { graph, intentLogits, tagLogits };
}

/** The training graph: the forward pass with dropout masks, plus both losses. */
export interface LossSettings {
  /** Weight of the entity loss against the intent loss (>= 0). */
  entityLossWeight: number;
  /** Label smoothing of the intent loss, 0..0.3: the target puts this mass evenly on all intents. */
  labelSmoothing: number;
}

export function buildTrainingGraph(
  spec: ModelSpec,
  params: ReadonlyMap<string, Float32Array>,
  losses: LossSettings,
): TrainingGraph {
  const graph = new Graph();
  const inputs = declareInputs(graph, spec, 'training');
  const weights = declareParams(graph, spec, params, sparseTables(spec));
  const dropout = new DropoutMasks(graph, spec.config);
  const { intentLogits, tagLogits } = encodeAndPredict(spec, inputs, weights, dropout);

  const intentLoss = buildIntentLoss(graph, intentLogits, losses.labelSmoothing);
  const entityLoss = buildEntityLoss(graph, tagLogits, spec.tagCount);
  const loss = add(intentLoss, mul(entityLoss, losses.entityLossWeight));
  return {
    graph,
    intentLogits,
    tagLogits,
    loss,
    intentLoss,
    entityLoss,
    dropoutSites: dropout.sites,
    sparse: inputs.sparse as Map<string, { table: Value; bag: Value }>,
  };
}

/** The tables read only through feature bags, with their row width. */
export function sparseTables(spec: ModelSpec): Map<string, number> {
  const tables = new Map([[FEATURE_TABLE, spec.config.hidden]]);
  if (spec.config.wideIntent) tables.set(WIDE_TABLE, spec.intentCount);
  return tables;
}

function declareInputs(graph: Graph, spec: ModelSpec, kind: 'forward' | 'training'): ModelInputs {
  const k = spec.featuresPerToken;
  if (kind === 'training') {
    const featureIds = graph.input('featureIds', 'int64', ['batch', 'rows', k]);
    const weights = graph.input('featureWeights', 'float32', ['batch', 'rows', k]);
    const tables = [...sparseTables(spec)].map(([name, width]) => {
      const table = graph.input(name, 'float32', [spec.featureCount, width]);
      return [name, { table, bag: sparseBag(table, featureIds, weights) }] as const;
    });
    return {
      sparse: new Map(tables),
      tokenMask: graph.input('tokenMask', 'float32', ['batch', 'rows']),
      positions: graph.input('positions', 'int64', ['rows']),
      layout: PADDED_ROWS,
    };
  }
  const featureIds = graph.input('featureIds', 'int64', ['distinct', k]);
  const rowScale = graph.input('rowScale', 'float32', ['distinct']);
  const bagRows = graph.input('bagRows', 'int64', ['packed']);
  const positions = graph.input('positions', 'int64', ['packed']);
  const tokenMask = graph.input('tokenMask', 'float32', ['batch', 'rows']);
  const slotRows = graph.input('slotRows', 'int64', ['slots']);
  const rowSlots = graph.input('rowSlots', 'int64', ['packed']);
  const radius = spec.config.localWindow;
  const windowRows =
    radius > 0 ? graph.input('windowRows', 'int64', ['packed', 2 * radius + 1]) : undefined;
  return {
    windowRows,
    featureIds,
    rowScale,
    bagRows,
    tokenMask,
    positions,
    layout: packedRows(tokenMask, slotRows, rowSlots),
  };
}

/**
 * The weights to export: the trained ones with row 0 of the feature table (the padding id) set
 * to zero, which the exported graph's feature bag relies on. Training never reads that row with
 * a non-zero weight, so this changes no prediction.
 */
export function exportWeights(
  params: ReadonlyMap<string, Float32Array>,
): Map<string, Float32Array> {
  const weights = new Map(params);
  const table = params.get(FEATURE_TABLE);
  const hidden = params.get('embed.norm.g')?.length;
  if (!table || !hidden) throw new Error('exportWeights: not the parameters of a joint model');
  const copy = Float32Array.from(table);
  copy.fill(0, 0, hidden);
  weights.set(FEATURE_TABLE, copy);
  const wide = params.get(WIDE_TABLE);
  if (wide) {
    const intents = params.get(HEAD_PARAMS.intent.bias)?.length ?? 0;
    weights.set(WIDE_TABLE, Float32Array.from(wide).fill(0, 0, intents));
  }
  return weights;
}

function declareParams(
  graph: Graph,
  spec: ModelSpec,
  params: ReadonlyMap<string, Float32Array>,
  leaveOut: ReadonlyMap<string, unknown> = new Map(),
): Map<string, Value> {
  const values = new Map<string, Value>();
  for (const [name, def] of paramDefs(spec)) {
    if (leaveOut.has(name)) continue;
    const data = params.get(name);
    if (!data) throw new Error(`model parameter ${name} has no value`);
    values.set(name, graph.param(name, def.shape, data));
  }
  return values;
}

/** Dropout masks are graph inputs so that a seeded JS generator decides them. */
class DropoutMasks {
  readonly sites: string[] = [];

  constructor(
    private readonly graph: Graph,
    private readonly config: ModelConfig,
  ) {}

  apply(x: Value, site: string): Value {
    if (this.config.dropout <= 0) return x;
    const name = `drop.${site}`;
    this.sites.push(name);
    return mul(x, this.graph.input(name, 'float32', ['batch', 'rows', this.config.hidden]));
  }
}

function encodeAndPredict(
  spec: ModelSpec,
  inputs: ModelInputs,
  w: Map<string, Value>,
  dropout: DropoutMasks | undefined,
): { intentLogits: Value; tagLogits: Value } {
  const drop = (x: Value, site: string) => (dropout ? dropout.apply(x, site) : x);
  const p = (name: string) => w.get(name) as Value;
  const norm: Norm = (x, name) => layerNorm(x, p(`${name}.g`), p(`${name}.b`), LAYER_NORM_EPSILON);

  const { layout, tokenMask } = inputs;

  // Feature bags plus positions, per row.
  const bags = featureBags(inputs, w);
  const embedded = add(bags.features, gather(p(POSITION_TABLE), inputs.positions));
  let x = drop(norm(embedded, 'embed.norm'), 'embed');

  if (spec.config.localWindow > 0) {
    const local = localBlock(norm(x, 'local.norm'), inputs, spec.config.localWindow, p);
    x = add(x, drop(local, 'local'));
  }
  const bias = attentionBias(tokenMask, layout.paddingScore); // [B,1,1,T]
  for (let l = 0; l < spec.config.layers; l++) {
    x = encoderLayer(x, { bias, layout }, l, spec.config, p, drop, norm);
  }
  const out = drop(norm(x, 'final.norm'), 'head');

  let intentLogits = intentHead(layout.padded(out), tokenMask, spec.config, p);
  if (spec.config.wideIntent) {
    // Mean over real rows of the per-row wide bags [B,T,C] -> [B,C].
    const mask = unsqueeze(tokenMask, [2]);
    const rows = reduceSum(mul(layout.padded(bags.wide as Value), mask), [1]);
    intentLogits = add(intentLogits, div(rows, reduceSum(mask, [1])));
  }
  const tagInput = spec.config.tagWindow
    ? neighbourhood(out, inputs, spec.config.localWindow, 'tags')
    : out;
  return { intentLogits, tagLogits: entityHead(tagInput, p) };
}

/**
 * Feature slots gathered at a time in the exported graph's feature bags. The gathered rows are
 * the largest intermediate of a run (a batch of 64 shop messages gathers about 7,300 rows of
 * 154 floats, 4.5 MB). Gathered and summed in halves, batches of 64 shop messages ran 0.04 to
 * 0.24 ms faster in four comparisons on one thread (of about 7 ms); the sum's order changes the
 * logits by about 1e-7.
 */
const SLOTS_PER_GATHER = 12;

/**
 * Per row, the sum of the feature table's rows [rows,H] for its ids and, with the wide path, of
 * the wide table's [rows,C]: the training graph's bag inputs, or in the forward graph the
 * gathered rows [U,K,*] of each distinct id row summed (SLOTS_PER_GATHER slots at a time) and
 * scaled, then copied to the packed rows (top of this file). The forward graph reads both tables
 * side by side as one [V, H+C] table (onnxruntime folds the Concat of two initializers into one
 * constant when the session starts), so one Gather serves both: its cost is mostly per gathered
 * row, not per float.
 */
function featureBags(
  inputs: ModelInputs,
  w: Map<string, Value>,
): { features: Value; wide?: Value } {
  if (inputs.sparse) {
    const bag = (table: string) => inputs.sparse?.get(table)?.bag;
    return { features: bag(FEATURE_TABLE) as Value, wide: bag(WIDE_TABLE) };
  }
  const features = w.get(FEATURE_TABLE) as Value;
  const wide = w.get(WIDE_TABLE);
  const tables = wide ? concat([features, wide], 1) : features;
  const ids = inputs.featureIds as Value;
  const k = ids.shape[1] as number;
  let total: Value | undefined;
  for (let from = 0; from < k; from += SLOTS_PER_GATHER) {
    const slots = sliceAxis(ids, 1, from, Math.min(k, from + SLOTS_PER_GATHER));
    const part = reduceSum(gather(tables, slots), [1]);
    total = total ? add(total, part) : part;
  }
  const sums = mul(total as Value, unsqueeze(inputs.rowScale as Value, [1]));
  const toRows = (x: Value) => gather(x, inputs.bagRows as Value);
  if (!wide) return { features: toRows(sums) };
  const h = features.shape[1] as number;
  const c = wide.shape[1] as number;
  return {
    features: toRows(sliceAxis(sums, 1, 0, h)),
    wide: toRows(sliceAxis(sums, 1, h, h + c)),
  };
}

/**
 * GELU of one projection of rows i-radius .. i+radius side by side, for every row i of x.
 * Padding rows are zeroed first, and rows beyond either end of a message read as zeros.
 */
function localBlock(
  x: Value,
  inputs: ModelInputs,
  radius: number,
  p: (name: string) => Value,
): Value {
  return gelu(linear(neighbourhood(x, inputs, radius, 'local'), p('local.w'), p('local.b')));
}

/** Rows i-radius .. i+radius of x side by side, in the training or the packed layout. */
function neighbourhood(x: Value, inputs: ModelInputs, radius: number, site: string): Value {
  return inputs.windowRows
    ? packedWindow(x, inputs.windowRows, site)
    : paddedWindow(x, inputs.tokenMask, radius);
}

/** Training: rows i-r .. i+r of x [B,T,H] side by side, [B,T,(2r+1)H]. */
function paddedWindow(x: Value, tokenMask: Value, radius: number): Value {
  const h = x.shape[2] as number;
  const real = mul(x, unsqueeze(tokenMask, [2]));
  const pieces: Value[] = [];
  for (let offset = -radius; offset <= radius; offset++) pieces.push(shiftRows(real, offset, h));
  return concat(pieces, 2);
}

/**
 * Forward: the same for packed rows x [R,H], [R,(2r+1)H], in one Gather through `windowRows`
 * from x with a zero row appended (the neighbours past either end of a message).
 */
function packedWindow(x: Value, windowRows: Value, site: string): Value {
  const h = x.shape[1] as number;
  const width = (windowRows.shape[1] as number) * h;
  const zero = graphOf(site, x).constant(`${site}.zeroRow`, new Float32Array(h), 'float32', [1, h]);
  return reshape(gather(concat([x, zero], 0), windowRows), [0, width]);
}

/** Row i of the result is row i + offset of x [B,T,H], or zeros past either end. */
function shiftRows(x: Value, offset: number, h: number): Value {
  if (offset === 0) return x;
  const zeros = mul(sliceAxis(x, 1, 0, Math.abs(offset)), 0); // [B,|offset|,H]
  const moved =
    offset < 0
      ? concat([zeros, sliceAxis(x, 1, 0, offset)], 1)
      : concat([sliceAxis(x, 1, offset), zeros], 1);
  return reshape(moved, [0, 'rows', h]);
}

/** Layer norm of x with the gain `<name>.g` and bias `<name>.b`. */
type Norm = (x: Value, name: string) => Value;

/**
 * x·W + b. A [B,T,I] input is multiplied as [B·T, I] rows, so onnxruntime fuses the product
 * and the bias into one Gemm (it does not for 3-D inputs with symbolic dims).
 */
function linear(x: Value, weight: Value, bias: Value): Value {
  if (x.shape.length === 2) return add(matMul(x, weight), bias);
  const rank = x.shape.length;
  const inner = x.shape[rank - 1] as number;
  const width = weight.shape[1] as number;
  const product = add(matMul(reshape(x, [-1, inner]), weight), bias);
  const target = concat([shapeOf(x, 0, rank - 1), graphOf('linear', x).ints([width])], 0);
  return reshapeTo(product, target, [...x.shape.slice(0, -1), width]);
}

/** What attention needs besides its input: the [B,1,1,T] padding bias and the row layout. */
interface AttentionContext {
  bias: Value;
  layout: RowLayout;
}

/** Pre-norm block: x + attention(norm(x)), then x + ffn(norm(x)). */
function encoderLayer(
  x: Value,
  context: AttentionContext,
  layer: number,
  config: ModelConfig,
  p: (name: string) => Value,
  drop: (x: Value, site: string) => Value,
  norm: Norm,
): Value {
  const name = `encoder.${layer}`;
  const normed = norm(x, `${name}.attn.norm`);
  const attended = selfAttention(normed, context, name, config, p);
  const afterAttention = add(x, drop(attended, `${layer}.attn`));

  const normed2 = norm(afterAttention, `${name}.ffn.norm`);
  const inner = gelu(linear(normed2, p(`${name}.ffn.in.w`), p(`${name}.ffn.in.b`)));
  const ffnOut = linear(inner, p(`${name}.ffn.out.w`), p(`${name}.ffn.out.b`));
  return add(afterAttention, drop(ffnOut, `${layer}.ffn`));
}

/** Multi-head self-attention over the rows of x, each message on its own (padding bias). */
function selfAttention(
  x: Value,
  { bias, layout }: AttentionContext,
  name: string,
  config: ModelConfig,
  p: (name: string) => Value,
): Value {
  const { hidden: h, heads: n } = config;
  const d = h / n;
  const qkv = linear(x, p(`${name}.attn.qkv.w`), p(`${name}.attn.qkv.b`)); // rows of width 3H
  const { q, k, v } = layout.heads(qkv, n); // [B,N,T,D] each
  const scores = add(mul(matMul(q, transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(d)), bias); // [B,N,T,T]
  const context = matMul(softmax(scores, -1), v); // [B,N,T,D]
  return linear(layout.mergeHeads(context), p(`${name}.attn.out.w`), p(`${name}.attn.out.b`));
}

/**
 * Intent logits [B,C] from the __CLS__ row, or from [__CLS__ row; mean of real rows], of the
 * padded view [B,T,H].
 */
function intentHead(
  encoded: Value,
  tokenMask: Value,
  config: ModelConfig,
  p: (name: string) => Value,
): Value {
  const cls = squeeze(sliceAxis(encoded, 1, 0, 1), [1]); // [B,H]
  let pooled = cls;
  if (config.intentPooling === 'cls+mean') {
    const mask = unsqueeze(tokenMask, [2]); // [B,T,1]
    const sum = reduceSum(mul(encoded, mask), [1]); // [B,H]
    const mean = div(sum, reduceSum(mask, [1])); // every message has its __CLS__ row: count >= 1
    pooled = concat([cls, mean], 1); // [B,2H]
  }
  return linear(pooled, p(HEAD_PARAMS.intent.weight), p(HEAD_PARAMS.intent.bias));
}

/** Tag logits [rows, S] for every row. */
function entityHead(encoded: Value, p: (name: string) => Value): Value {
  return linear(encoded, p(HEAD_PARAMS.entity.weight), p(HEAD_PARAMS.entity.bias));
}

/**
 * Weighted cross-entropy of the intent (the weights are relative: crossEntropy divides by their
 * sum), with label smoothing: (1 - e) * CE + e * the mean over intents of -log p.
 */
function buildIntentLoss(graph: Graph, intentLogits: Value, smoothing: number): Value {
  const labels = graph.input('intentLabels', 'int64', ['batch']);
  const weights = graph.input('intentWeights', 'float32', ['batch']);
  const loss = crossEntropy(intentLogits, labels, weights);
  if (smoothing <= 0) return loss;
  const meanLogProb = reduceMean(logSoftmax(intentLogits, 1), [1]); // [B]
  const weighted = reduceSum(mul(meanLogProb, weights), [0]);
  const uniform = neg(div(weighted, maximum(reduceSum(weights, [0]), 1e-12)));
  return add(mul(loss, 1 - smoothing), mul(uniform, smoothing));
}

/** Weighted cross-entropy of the tags over all rows; __CLS__ and padding rows weigh 0. */
function buildEntityLoss(graph: Graph, tagLogits: Value, tagCount: number): Value {
  const labels = graph.input('tagLabels', 'int64', ['batch', 'rows']);
  const weights = graph.input('tagWeights', 'float32', ['batch', 'rows']);
  return crossEntropy(
    reshape(tagLogits, [-1, tagCount]),
    reshape(labels, [-1]),
    reshape(weights, [-1]),
  );
}
