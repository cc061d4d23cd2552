/**
 * Runs training steps on onnxruntime-node. One step is one ONNX session run: the graph holds
 * forward, loss, backward (see graph/grad.ts) and the AdamW update (see optimizer.ts). Params
 * and optimizer moments live in JS between steps (see StateBuffers): ORT writes each step's new
 * state into pre-allocated tensors that become the next step's inputs.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ParleyError } from '../core/errors.js';
import { logger } from '../core/log.js';
import type { Graph, GraphNode, Value } from './graph/graph.js';
import { grad } from './graph/grad.js';
import { buildModel } from './graph/export.js';
import { concat } from './graph/ops/concat.js';
import { isTableGather } from './graph/ops/gather.js';
import { reshape } from './graph/ops/reshape.js';
import { segmentSum } from './graph/ops/segment.js';
import { staticSize } from './graph/shape.js';
import { buildAdamW, type AdamWOptions, type AdamWSlot, type AdamWTarget } from './optimizer.js';

export interface StepTrainerSpec {
  graph: Graph;
  /** Float32 scalar to minimise. */
  loss: Value;
  /** Float32 values to return from every step (e.g. logits for training metrics). */
  extraOutputs?: Record<string, Value>;
  optimizer: AdamWOptions;
  /** Params to exclude from weight decay (biases, norm gains). */
  noDecay?: (paramName: string) => boolean;
  device?: 'cpu' | 'cuda';
  /** Starting weights by param name (warm start); params not listed start from their init. */
  initial?: Map<string, Float32Array>;
  /**
   * Embedding tables (2-D params read only through gather()) to update by rows: each step
   * updates only the rows the batch looked up, and the other rows keep their weights and
   * moments and skip weight decay (LazyAdam). Much cheaper for large tables; off by default.
   */
  lazyRows?: (paramName: string) => boolean;
}

export interface StepResult {
  /** Loss before this step's update. */
  loss: number;
  /** Global gradient L2 norm before clipping. */
  gradNorm: number;
  outputs: Record<string, Float32Array>;
}

export interface StepTrainer {
  /** One forward/backward/update. `feeds` are the graph's data inputs; lr is this step's rate. */
  step(feeds: Record<string, ort.Tensor>, lr: number): Promise<StepResult>;
  /**
   * Current weights by param name, as copies: the trainer reuses its own buffers every other
   * step, so views would change under the caller.
   */
  params(): Map<string, Float32Array>;
  /** Steps taken so far. */
  readonly steps: number;
  release(): Promise<void>;
}

const OUT_LOSS = 'loss';
const OUT_NORM = 'grad_norm';
const log = logger('train');

export async function createStepTrainer(spec: StepTrainerSpec): Promise<StepTrainer> {
  const { graph } = spec;
  const params = graph.params.map((p) => p.value);
  if (params.length === 0) {
    throw new ParleyError('GRAPH_SHAPE', 'step trainer: the graph has no params');
  }

  const { bytes, adam } = buildStepGraph(spec, params);
  const session = await openSession(bytes, spec.device ?? 'cpu');
  const state = createState(graph, adam.slots, spec.initial);
  const dataInputs = session.inputNames.filter(
    (n) => !state.has(n) && n !== adam.lr.name && n !== adam.step.name,
  );
  const extraKeys = Object.keys(spec.extraOutputs ?? {});
  log.debug(
    { bytes: bytes.length, params: params.length, device: spec.device },
    'step graph ready',
  );

  let steps = 0;
  let busy = false;
  return {
    get steps() {
      return steps;
    },

    async step(feeds, lr) {
      // state buffers swap after each run, so runs must not overlap
      if (busy) throw new ParleyError('CONFLICT', 'step trainer: await the previous step first');
      busy = true;
      try {
        const { run, fetches } = stepInputs(dataInputs, feeds, state, extraKeys);
        run[adam.lr.name] = new ort.Tensor('float32', Float32Array.of(lr), []);
        run[adam.step.name] = new ort.Tensor('float32', Float32Array.of(steps + 1), []);
        const result = await session.run(run, fetches);
        applyUpdate(state, result);
        steps += 1;
        return stepResult(result, extraKeys);
      } finally {
        busy = false;
      }
    },

    params() {
      const copy = (name: string): Float32Array =>
        (state.get(name)!.current.data as Float32Array).slice();
      return new Map(params.map((p) => [p.name, copy(p.name)]));
    },

    async release() {
      await session.release();
    },
  };
}

/**
 * Feeds: the data inputs, each state tensor's current buffer. Fetches: ORT allocates loss,
 * norm and extras; whole new state tensors go straight into the pre-allocated `next` buffers.
 */
function stepInputs(
  dataInputs: readonly string[],
  feeds: Record<string, ort.Tensor>,
  state: Map<string, StateBuffers>,
  extraKeys: readonly string[],
) {
  const run: Record<string, ort.Tensor> = {};
  for (const name of dataInputs) {
    const t = feeds[name];
    if (!t) throw new ParleyError('DATA_INVALID', `step trainer: no feed for graph input ${name}`);
    run[name] = t;
  }
  const fetches: Record<string, ort.Tensor | null> = { [OUT_LOSS]: null, [OUT_NORM]: null };
  for (const key of extraKeys) fetches[key] = null;
  for (const [name, buffers] of state) {
    run[name] = buffers.current;
    fetches[`${NEW}${name}`] = buffers.next ?? null;
    if (buffers.rows) fetches[`${ROWS}${buffers.rows}`] = null;
  }
  return { run, fetches };
}

/** Swaps whole buffers; writes the touched rows of lazy tables into their buffer in place. */
function applyUpdate(state: Map<string, StateBuffers>, result: Record<string, ort.Tensor>): void {
  for (const [name, buffers] of state) {
    if (buffers.next) [buffers.current, buffers.next] = [buffers.next, buffers.current];
    else writeRows(buffers.current, result[`${ROWS}${buffers.rows}`], result[`${NEW}${name}`]);
  }
}

function stepResult(result: Record<string, ort.Tensor>, extraKeys: readonly string[]): StepResult {
  const outputs: Record<string, Float32Array> = {};
  for (const key of extraKeys) outputs[key] = result[key].data as Float32Array;
  return {
    loss: (result[OUT_LOSS].data as Float32Array)[0],
    gradNorm: (result[OUT_NORM].data as Float32Array)[0],
    outputs,
  };
}

/** Output name prefixes: new state values, and the row ids of lazily updated tables. */
const NEW = 'new.';
const ROWS = 'rows.';

/** Forward, loss, gradients and AdamW as one ONNX model, params and moments as inputs. */
function buildStepGraph(spec: StepTrainerSpec, params: Value[]) {
  const { graph, loss } = spec;
  const lookups = tableLookups(graph, params, spec.lazyRows ?? (() => false));
  const dense = params.filter((p) => !lookups.has(p.name));
  const lookupOutputs = [...lookups.values()].flat().map((n) => n.output);
  const grads = grad(graph, loss, [...dense, ...lookupOutputs]);
  const targets: AdamWTarget[] = dense.map((p) => ({ param: p, grad: grads.get(p.name)! }));
  for (const [name, nodes] of lookups) targets.push(rowTarget(nodes, grads, name));
  const adam = buildAdamW(graph, targets, spec.optimizer, spec.noDecay);

  const outputs: Record<string, Value> = { [OUT_LOSS]: loss, [OUT_NORM]: adam.gradNorm };
  for (const [key, value] of Object.entries(spec.extraOutputs ?? {})) {
    if (key in outputs || key.startsWith(NEW) || key.startsWith(ROWS)) {
      throw new ParleyError('GRAPH_SHAPE', `step trainer: extra output name ${key} is reserved`);
    }
    if (value.dtype !== 'float32') {
      const got = `${value.dtype} ${value.name}`;
      throw new ParleyError(
        'GRAPH_SHAPE',
        `step trainer: extra output ${key} must be float32, got ${got}`,
      );
    }
    outputs[key] = value;
  }
  for (const slot of adam.slots) {
    outputs[`${NEW}${slot.param.name}`] = slot.newParam;
    outputs[`${NEW}${slot.m.name}`] = slot.newM;
    outputs[`${NEW}${slot.v.name}`] = slot.newV;
    if (slot.rows) outputs[`${ROWS}${slot.param.name}`] = slot.rows;
  }
  const bytes = buildModel(graph, outputs, { params: 'inputs', graphName: 'parley_train_step' });
  return { bytes, adam };
}

/** The gather() nodes reading each lazily updated table; a table used any other way is refused. */
function tableLookups(
  graph: Graph,
  params: Value[],
  lazyRows: (name: string) => boolean,
): Map<string, GraphNode[]> {
  const lazy = new Set(params.filter((p) => lazyRows(p.name)).map((p) => p.name));
  const lookups = new Map<string, GraphNode[]>();
  for (const node of graph.nodes) {
    node.inputs.forEach((input, i) => {
      if (!lazy.has(input.name)) return;
      if (!isTableGather(node) || i !== 0 || input.shape.length !== 2) {
        throw new ParleyError(
          'GRAPH_SHAPE',
          `step trainer: lazyRows param ${input.name} is read by ${node.def.onnxType} ` +
            `(${node.output.name}); only 2-D tables read by gather() can be updated by rows`,
        );
      }
      lookups.set(input.name, [...(lookups.get(input.name) ?? []), node]);
    });
  }
  return lookups;
}

/** Sums the row gradients of every lookup of one table over its distinct row ids. */
function rowTarget(nodes: GraphNode[], grads: Map<string, Value>, name: string): AdamWTarget {
  const table = nodes[0].inputs[0];
  const width = table.shape[1] as number;
  const ids = nodes.map((n) => reshape(n.inputs[1], [-1]));
  const rows = nodes.map((n) => reshape(grads.get(n.output.name)!, [-1, width]));
  const joined = (vs: Value[]): Value => (vs.length === 1 ? vs[0] : concat(vs, 0));
  const { ids: distinct, sums } = segmentSum(joined(ids), joined(rows));
  log.debug({ table: name, lookups: nodes.length }, 'table updated by rows');
  return { param: table, grad: sums, rows: distinct };
}

/** Copies updated rows (ids int64 [U], rows [U, width]) into a table buffer in place. */
function writeRows(table: ort.Tensor, ids: ort.Tensor, rows: ort.Tensor): void {
  const target = table.data as Float32Array;
  const source = rows.data as Float32Array;
  const idList = ids.data as BigInt64Array;
  const width = target.length / (table.dims[0] || 1);
  for (let j = 0; j < idList.length; j++) {
    target.set(source.subarray(j * width, (j + 1) * width), Number(idList[j]) * width);
  }
}

/**
 * Per state tensor (param, m, v): a step reads `current`, and ORT writes the whole new tensor
 * into `next` (pre-allocated outputs), then they swap: no allocation or copy per step, and
 * inputs never alias outputs. Lazily updated tables have no `next`: only the touched rows come
 * back (with the ids in output `rows.<param>`) and are written into `current` in place.
 */
interface StateBuffers {
  current: ort.Tensor;
  next?: ort.Tensor;
  /** Param whose row ids select the rows (lazy tables only). */
  rows?: string;
}

/** Param buffers from `initial` or the graph's init, and zeroed AdamW moments. */
function createState(
  graph: Graph,
  slots: AdamWSlot[],
  initial: Map<string, Float32Array> | undefined,
): Map<string, StateBuffers> {
  const state = new Map<string, StateBuffers>();
  const inits = new Map(graph.params.map((p) => [p.value.name, p.init]));
  for (const slot of slots) {
    const dims = slot.param.shape as number[];
    const size = staticSize(dims)!;
    const given = initial?.get(slot.param.name);
    if (given && given.length !== size) {
      throw new ParleyError(
        'MODEL_INVALID',
        `step trainer: initial value for ${slot.param.name} has ${given.length} values, ` +
          `expected ${size}`,
      );
    }
    const buffers = (data: Float32Array): StateBuffers => ({
      current: new ort.Tensor('float32', data, dims),
      ...(slot.rows
        ? { rows: slot.param.name }
        : { next: new ort.Tensor('float32', new Float32Array(size), dims) }),
    });
    // copy: the caller's arrays stay theirs, and the trainer never aliases them
    state.set(slot.param.name, buffers(Float32Array.from(given ?? inits.get(slot.param.name)!)));
    state.set(slot.m.name, buffers(new Float32Array(size)));
    state.set(slot.v.name, buffers(new Float32Array(size)));
  }
  return state;
}

/** onnxruntime log severity (0 verbose .. 4 fatal) from our LOG_LEVEL. */
function ortSeverity(): 0 | 1 | 2 | 3 | 4 {
  const level = process.env.LOG_LEVEL ?? 'info';
  if (level === 'trace') return 1;
  if (level === 'debug') return 2;
  return 3;
}

async function openSession(
  bytes: Uint8Array,
  device: 'cpu' | 'cuda',
): Promise<ort.InferenceSession> {
  if (device === 'cuda') checkCudaBinaries();
  try {
    return await ort.InferenceSession.create(bytes, {
      executionProviders: [device],
      graphOptimizationLevel: 'all',
      logSeverityLevel: ortSeverity(),
      // AdamW's second moments of rarely-hit embedding rows decay into denormal floats, which
      // run up to 100× slower on x86; flushing them to zero changes nothing measurable.
      extra: { session: { set_denormal_as_zero: '1' } },
    });
  } catch (err) {
    if (device === 'cuda')
      throw cudaUnavailable(`creating a CUDA session failed: ${String(err)}`, err);
    throw new ParleyError(
      'MODEL_INVALID',
      `step trainer: onnxruntime rejected the step graph: ${String(err)}`,
      {
        cause: err,
      },
    );
  }
}

const CUDA_HINT =
  'Install the CUDA 12 binaries of onnxruntime-node with ' +
  '`ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci` ' +
  '(see node_modules/onnxruntime-node/script/install.js); they also need CUDA 12 and cuDNN 9 ' +
  'libraries on the library path. Or train with device cpu.';

/**
 * Where onnxruntime-node 1.30's install script puts the CUDA provider on Linux; the npm
 * package does not ship it. Undefined on other platforms.
 */
export function cudaProviderPath(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const file = 'libonnxruntime_providers_cuda.so';
  return path.join(pkg, 'bin', 'napi-v6', 'linux', process.arch, file);
}

/** Throws DEVICE_UNAVAILABLE, with install instructions, when the CUDA provider is missing. */
export function checkCudaBinaries(lib: string | undefined = cudaProviderPath()): void {
  if (lib !== undefined && !existsSync(lib)) {
    throw cudaUnavailable(`device cuda asked for, but ${lib} is missing.`);
  }
}

function cudaUnavailable(what: string, cause?: unknown): ParleyError {
  return new ParleyError('DEVICE_UNAVAILABLE', `${what} ${CUDA_HINT}`, { cause });
}
