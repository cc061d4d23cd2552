/**
 * Runs training steps on onnxruntime-node. One step is one ONNX session run: the graph holds
 * forward, loss, backward (see graph/grad.ts) and the AdamW update (see optimizer.ts). Params
 * and optimizer moments live in JS between steps, each as one flat vector (see FlatState): ORT
 * writes each step's new state into pre-allocated tensors that become the next step's inputs.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ParleyError } from '../core/errors.js';
import { logger } from '../core/log.js';
import type { Graph, Value } from './graph/graph.js';
import { grad } from './graph/grad.js';
import { buildModel } from './graph/export.js';
import { buildAdamW, type AdamWGraph, type AdamWOptions, type AdamWTarget } from './optimizer.js';
import type { HostTable, SparseBatch } from './host-table.js';

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
   * Embedding tables kept and updated in JS (host-table.ts): each step feeds the table's own
   * array into `input` (float32 [V, D], a graph input), and updates the rows the batch read from
   * the gradient of `bag` (the graph's [B, T, D] value that sums them, see `sparseBag`). Their
   * weights are returned by `params()` with the rest.
   */
  hostTables?: { table: HostTable; input: Value; bag: Value }[];
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
  step(feeds: Record<string, ort.Tensor>, lr: number, sparse?: SparseBatch): Promise<StepResult>;
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
  const state = new FlatState(graph, adam, spec.initial);
  const hostTables = spec.hostTables ?? [];
  const hostInputs = new Set(hostTables.map((h) => h.input.name));
  const dataInputs = session.inputNames.filter(
    (n) => !state.feeds(n) && n !== adam.lr.name && n !== adam.step.name && !hostInputs.has(n),
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

    async step(feeds, lr, sparse) {
      // state buffers swap after each run, so runs must not overlap
      if (busy) throw new ParleyError('CONFLICT', 'step trainer: await the previous step first');
      busy = true;
      try {
        const { run, fetches } = stepInputs(dataInputs, feeds, state, extraKeys);
        run[adam.lr.name] = new ort.Tensor('float32', Float32Array.of(lr), []);
        run[adam.step.name] = new ort.Tensor('float32', Float32Array.of(steps + 1), []);
        if (hostTables.length > 0 && !sparse) {
          throw new ParleyError('DATA_INVALID', 'step trainer: host tables need a sparse batch');
        }
        hostTables.forEach(({ table, input }) => {
          // a view, not a copy; made per step because the table's memory may have grown
          run[input.name] = new ort.Tensor('float32', table.weights, [table.rowCount, table.width]);
          fetches[`${BAG_GRAD}${input.name}`] = null;
        });
        const result = await session.run(run, fetches);
        state.swap();
        for (const { table, input } of hostTables) {
          const bagGrad = result[`${BAG_GRAD}${input.name}`].data as Float32Array;
          table.update(sparse!, bagGrad, lr, steps + 1, spec.optimizer);
        }
        steps += 1;
        return stepResult(result, extraKeys);
      } finally {
        busy = false;
      }
    },

    params() {
      const weights = state.paramCopies();
      for (const { table } of hostTables) weights.set(table.name, table.weights.slice());
      return weights;
    },

    async release() {
      await session.release();
    },
  };
}

/**
 * Feeds: the data inputs and the current state. Fetches: ORT allocates loss, norm and extras;
 * the new state goes straight into the pre-allocated `next` buffers.
 */
function stepInputs(
  dataInputs: readonly string[],
  feeds: Record<string, ort.Tensor>,
  state: FlatState,
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
  state.addTo(run, fetches);
  return { run, fetches };
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

/** Output name prefix of new state values. */
const NEW = 'new.';
/** Output name prefix of the gradient with respect to a host table's bag. */
const BAG_GRAD = 'bag_grad.';

/** Forward, loss, gradients and AdamW as one ONNX model, params and moments as inputs. */
function buildStepGraph(spec: StepTrainerSpec, params: Value[]) {
  const { graph, loss } = spec;
  const hostTables = spec.hostTables ?? [];
  const grads = grad(graph, loss, [...params, ...hostTables.map((h) => h.bag)]);
  const targets: AdamWTarget[] = params.map((p) => ({ param: p, grad: grads.get(p.name)! }));
  const adam = buildAdamW(graph, targets, spec.optimizer, spec.noDecay);

  const outputs: Record<string, Value> = { [OUT_LOSS]: loss, [OUT_NORM]: adam.gradNorm };
  // keyed by the table's input name: that is what a step knows the table by
  for (const { input, bag } of hostTables)
    outputs[`${BAG_GRAD}${input.name}`] = grads.get(bag.name)!;
  for (const [key, value] of Object.entries(spec.extraOutputs ?? {})) {
    if (key in outputs || key.startsWith(NEW) || key.startsWith(BAG_GRAD)) {
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
  outputs[`${NEW}${adam.params.name}`] = adam.newParams;
  outputs[`${NEW}${adam.m.name}`] = adam.newM;
  outputs[`${NEW}${adam.v.name}`] = adam.newV;
  const bytes = buildModel(graph, outputs, { params: 'inputs', graphName: 'parley_train_step' });
  return { bytes, adam };
}

/**
 * The params and AdamW's moments, each one flat vector in two buffers: a step reads `current`,
 * ORT writes the whole new vector into `next` (pre-allocated outputs), then they swap. No
 * allocation or copy per step, and inputs never alias outputs. Each param's own graph input is
 * a view into the current params vector, so the forward pass and the optimizer read the same
 * memory.
 */
class FlatState {
  private current: FlatBuffers;
  private next: FlatBuffers;
  private readonly names: Set<string>;

  constructor(
    graph: Graph,
    private readonly adam: AdamWGraph,
    initial: Map<string, Float32Array> | undefined,
  ) {
    const start = new Float32Array(adam.size);
    const inits = new Map(graph.params.map((p) => [p.value.name, p.init]));
    for (const { param, offset, size } of adam.layout) {
      const given = initial?.get(param.name);
      if (given && given.length !== size) {
        throw new ParleyError(
          'MODEL_INVALID',
          `step trainer: initial value for ${param.name} has ${given.length} values, ` +
            `expected ${size}`,
        );
      }
      // copied: the caller's arrays stay theirs, and the trainer never aliases them
      start.set(given ?? inits.get(param.name)!, offset);
    }
    this.current = this.buffers(start);
    this.next = this.buffers(new Float32Array(adam.size));
    this.names = new Set([
      adam.params.name,
      adam.m.name,
      adam.v.name,
      ...adam.layout.map((slot) => slot.param.name),
    ]);
  }

  /** Whether the state feeds the graph input `name`. */
  feeds(name: string): boolean {
    return this.names.has(name);
  }

  addTo(run: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor | null>): void {
    const { adam, current, next } = this;
    run[adam.params.name] = current.params;
    run[adam.m.name] = current.m;
    run[adam.v.name] = current.v;
    adam.layout.forEach((slot, i) => (run[slot.param.name] = current.views[i]));
    fetches[`${NEW}${adam.params.name}`] = next.params;
    fetches[`${NEW}${adam.m.name}`] = next.m;
    fetches[`${NEW}${adam.v.name}`] = next.v;
  }

  /** After a run: ORT wrote `next`, which becomes the state. */
  swap(): void {
    [this.current, this.next] = [this.next, this.current];
  }

  paramCopies(): Map<string, Float32Array> {
    const data = this.current.params.data as Float32Array;
    return new Map(
      this.adam.layout.map(({ param, offset, size }) => [
        param.name,
        data.slice(offset, offset + size),
      ]),
    );
  }

  private buffers(params: Float32Array): FlatBuffers {
    const total = params.length;
    return {
      params: new ort.Tensor('float32', params, [total]),
      m: new ort.Tensor('float32', new Float32Array(total), [total]),
      v: new ort.Tensor('float32', new Float32Array(total), [total]),
      views: this.adam.layout.map(
        ({ param, offset, size }) =>
          new ort.Tensor('float32', params.subarray(offset, offset + size), [
            ...(param.shape as number[]),
          ]),
      ),
    };
  }
}

interface FlatBuffers {
  params: ort.Tensor;
  m: ort.Tensor;
  v: ort.Tensor;
  /** One tensor per param (layout order), a view into `params`. */
  views: ort.Tensor[];
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
