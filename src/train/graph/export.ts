/**
 * Turns a Graph into ONNX bytes. Only the nodes the requested outputs need are emitted, in
 * creation order (a topological order). Outputs are renamed to their record keys with
 * Identity nodes, so callers see stable names ('loss', 'intent_logits') whatever the graph
 * called the values.
 */
import { ParleyError } from '../../core/errors.js';
import {
  decodeInitializers,
  encodeModel,
  type NodeSpec,
  type TensorSpec,
  type ValueInfoSpec,
} from '../onnx/model-proto.js';
import type { Graph, GraphNode, Value } from './graph.js';
import { formatShape, staticSize } from './shape.js';

/**
 * Default-domain opset of every Parley graph: ScatterND reduction="add" and axes as inputs (18),
 * Gelu (20).
 */
export const OPSET = 20;

export interface BuildOptions {
  /** 'inputs': params are graph inputs (training); a map: params become initializers. */
  params: 'inputs' | Map<string, Float32Array>;
  graphName: string;
}

/** Forward-only model with the given weights as initializers and only the nodes `outputs` need. */
export function exportForward(
  graph: Graph,
  outputs: Record<string, Value>,
  params: Map<string, Float32Array>,
): Uint8Array {
  return buildModel(graph, outputs, { params, graphName: 'parley_forward' });
}

/** The float32 initializers of an ONNX model (trained params and float constants), by name. */
export function readInitializers(
  bytes: Uint8Array,
): Map<string, { dims: number[]; data: Float32Array }> {
  const out = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const t of decodeInitializers(bytes)) {
    if (t.data instanceof Float32Array) out.set(t.name, { dims: t.dims, data: t.data });
  }
  return out;
}

/** Encodes the part of `graph` that `outputs` need. Shared by export and the step trainer. */
export function buildModel(
  graph: Graph,
  outputs: Record<string, Value>,
  options: BuildOptions,
): Uint8Array {
  const { nodes, leaves } = neededNodes(graph, Object.values(outputs));
  const names = new Set([...leaves.map((v) => v.name), ...nodes.map((n) => n.output.name)]);
  const inputs: ValueInfoSpec[] = [];
  const initializers: TensorSpec[] = [];

  for (const leaf of leaves) {
    const kind = graph.producerOf(leaf);
    if (kind === 'input' || (kind === 'param' && options.params === 'inputs')) {
      inputs.push(valueInfo(leaf.name, leaf));
    } else if (kind === 'param') {
      initializers.push(
        paramTensor(leaf, (options.params as Map<string, Float32Array>).get(leaf.name)),
      );
    } else {
      const data = graph.constantOf(leaf)!;
      initializers.push({ name: leaf.name, dtype: leaf.dtype, dims: leaf.shape as number[], data });
    }
  }

  // Outputs made by a node are renamed in place; an Identity would copy the tensor (the step
  // graph returns every param and moment, so that copy is most of a step's memory traffic).
  const rename = new Map<string, string>();
  const claimed = new Set<string>();
  const extra: NodeSpec[] = [];
  const outputSpecs: ValueInfoSpec[] = [];
  for (const [key, value] of Object.entries(outputs)) {
    if (key === value.name) claimed.add(key);
    else if (names.has(key)) {
      throw new ParleyError(
        'GRAPH_SHAPE',
        `export: output name ${key} is already a value in the graph`,
      );
    }
  }
  for (const [key, value] of Object.entries(outputs)) {
    outputSpecs.push(valueInfo(key, value));
    if (key === value.name) continue;
    if (typeof graph.producerOf(value) !== 'string' && !claimed.has(value.name)) {
      rename.set(value.name, key);
      claimed.add(value.name);
    } else {
      extra.push({ name: `out_${key}`, opType: 'Identity', inputs: [value.name], outputs: [key] });
    }
  }
  const renamed = (name: string): string => rename.get(name) ?? name;
  const siblings = new Map<number, GraphNode[]>();
  for (const n of nodes) {
    if (n.sibling) siblings.set(n.sibling.id, [...(siblings.get(n.sibling.id) ?? []), n]);
  }
  const nodeSpecs = nodes
    .filter((n) => !n.sibling)
    .map((n) => nodeSpec([n, ...(siblings.get(n.id) ?? [])], renamed));
  for (const node of extra) nodeSpecs.push({ ...node, inputs: node.inputs.map(renamed) });

  return encodeModel({
    graphName: options.graphName,
    nodes: nodeSpecs,
    initializers,
    inputs,
    outputs: outputSpecs,
    opset: OPSET,
  });
}

/** The nodes between the leaves and `outputs`, in creation order, and the leaves they read. */
function neededNodes(graph: Graph, outputs: Value[]): { nodes: GraphNode[]; leaves: Value[] } {
  const seen = new Set<string>();
  const nodes: GraphNode[] = [];
  const leaves: Value[] = [];
  const stack = [...outputs];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (seen.has(v.name)) continue;
    seen.add(v.name);
    const producer = graph.producerOf(v);
    if (typeof producer === 'string') leaves.push(v);
    else {
      nodes.push(producer);
      stack.push(...producer.inputs);
      if (producer.sibling) stack.push(producer.sibling.output);
    }
  }
  nodes.sort((a, b) => a.id - b.id);
  return { nodes, leaves };
}

/** One ONNX node for a builder node and the siblings that name its other outputs. */
function nodeSpec(group: GraphNode[], renamed: (name: string) => string): NodeSpec {
  const [node] = group;
  // unused outputs before the last used one get placeholder names (only trailing ones may go)
  const count = Math.max(...group.map((n) => n.outputIndex)) + 1;
  const outputs = Array.from({ length: count }, (_, i) => `${node.output.name}.unused${i}`);
  for (const n of group) outputs[n.outputIndex] = renamed(n.output.name);
  return {
    name: `n${node.id}_${node.def.onnxType}`,
    opType: node.def.onnxType,
    inputs: node.inputs.map((i) => renamed(i.name)),
    outputs,
    attrs: node.attrs,
  };
}

function valueInfo(name: string, v: Value): ValueInfoSpec {
  return { name, dtype: v.dtype, shape: v.shape };
}

function paramTensor(param: Value, data: Float32Array | undefined): TensorSpec {
  const size = staticSize(param.shape);
  if (!data || data.length !== size) {
    const got = data ? `${data.length} values` : 'nothing';
    throw new ParleyError(
      'MODEL_INVALID',
      `export: param ${param.name} ${formatShape(param.shape)} needs ${size} values, got ${got}`,
    );
  }
  return { name: param.name, dtype: 'float32', dims: param.shape as number[], data };
}
