/**
 * The graph builder. A Graph records leaves (inputs fed at run time, trainable params,
 * constants) and nodes; each node is exactly one ONNX node, so emitting the ONNX graph is a
 * walk over the node list. Nodes are appended in creation order, which is a topological order:
 * an op can only consume values that already exist.
 *
 * Values carry their graph, so ops take plain values (`add(a, b)`) and find the builder
 * through them.
 */
import { ParleyError } from '../../core/errors.js';
import type { AttrSpec } from '../onnx/model-proto.js';
import { formatShape, staticSize } from './shape.js';

/** float64 exists for exact intermediate sums (see ops/segment.ts); models use float32. */
export type DType = 'float32' | 'int64' | 'bool' | 'float64';
/** A numeric dim is exact; a string names a size known only at run time ('batch', 'seq'). */
export type Dim = number | string;

export interface Value {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

export type LeafKind = 'input' | 'param' | 'constant';
export type Attrs = Readonly<Record<string, AttrSpec>>;

/** Read-only view of one node, handed to an op's grad. */
export interface NodeView {
  readonly graph: Graph;
  readonly inputs: readonly Value[];
  readonly output: Value;
  readonly attrs: Attrs;
}

/**
 * The vector-Jacobian product of one op: given the gradient of the loss with respect to the
 * node's output, return one gradient per input (undefined where an input has none, such as
 * integer indices). Gradients are built from the same ops, so they can be exported as ONNX.
 */
export type GradFn = (gy: Value, node: NodeView) => (Value | undefined)[];

export interface OpDef {
  /** ONNX op type (default domain, opset 20: see OPSET in export.ts). */
  readonly onnxType: string;
  /** null for ops that never carry a gradient (shape queries, comparisons, optimizer-only). */
  readonly grad: GradFn | null;
}

export interface GraphNode extends NodeView {
  readonly id: number;
  readonly def: OpDef;
  /**
   * Position of `output` among the ONNX node's outputs (0 unless set). The builder keeps one
   * value per node; for a multi-output ONNX op, each output the graph uses is its own node.
   */
  readonly outputIndex: number;
  /** Another output of the same ONNX node: export emits the two as one node. */
  readonly sibling?: GraphNode;
}

export type ConstantData = Float32Array | Float64Array | BigInt64Array | Uint8Array;

class GraphValue implements Value {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: readonly Dim[],
    readonly producer: GraphNode | LeafKind,
  ) {}
}

export class Graph {
  private readonly names = new Set<string>();
  private readonly paramList: { value: Value; init: Float32Array }[] = [];
  private readonly inputList: Value[] = [];
  private readonly constantData = new Map<string, ConstantData>();
  private readonly nodeList: GraphNode[] = [];
  private readonly constCache = new Map<string, Value>();
  private counter = 0;

  /** A tensor fed at run time. Symbolic dims (strings) may differ between runs. */
  input(name: string, dtype: DType, shape: Dim[]): Value {
    const v = this.leaf(name, dtype, shape, 'input');
    this.inputList.push(v);
    return v;
  }

  /** A trainable float32 tensor; `init` is its starting value (row-major, length = size). */
  param(name: string, shape: number[], init: Float32Array): Value {
    checkStaticShape('param', name, shape);
    checkLength('param', name, shape, init.length);
    const v = this.leaf(name, 'float32', shape, 'param');
    this.paramList.push({ value: v, init });
    return v;
  }

  /** A fixed tensor stored in the model as an initializer. */
  constant(
    name: string,
    data: Float32Array | BigInt64Array | number[],
    dtype: DType,
    shape: number[],
  ): Value {
    checkStaticShape('constant', name, shape);
    checkLength('constant', name, shape, data.length);
    const v = this.leaf(name, dtype, shape, 'constant');
    this.constantData.set(name, toConstantData(name, data, dtype));
    return v;
  }

  get params(): ReadonlyArray<{ value: Value; init: Float32Array }> {
    return this.paramList;
  }

  get inputs(): readonly Value[] {
    return this.inputList;
  }

  get nodes(): readonly GraphNode[] {
    return this.nodeList;
  }

  /** Data of a constant value, or undefined for anything else. */
  constantOf(value: Value): ConstantData | undefined {
    return this.constantData.get(value.name);
  }

  /** What made a value: the node, or the kind of leaf. */
  producerOf(value: Value): GraphNode | LeafKind {
    return asGraphValue(value).producer;
  }

  /** A float32 or int64 scalar constant, shared between all uses of the same value. */
  scalar(value: number, dtype: DType = 'float32'): Value {
    return this.cachedConstant(dtype, [], [value]);
  }

  /** A 1-D float32 constant, shared between uses. */
  floats(values: readonly number[]): Value {
    return this.cachedConstant('float32', [values.length], values);
  }

  /** A 1-D int64 constant (axes, shapes, slice bounds), shared between uses. */
  ints(values: readonly number[]): Value {
    return this.cachedConstant('int64', [values.length], values);
  }

  /** Appends one node and returns its output. Ops call this after checking shapes. */
  node(
    def: OpDef,
    inputs: readonly Value[],
    out: { dtype: DType; shape: Dim[]; outputIndex?: number; sibling?: Value },
    attrs: Attrs = {},
  ): Value {
    for (const input of inputs) this.checkOwned(def.onnxType, input);
    const id = this.nodeList.length;
    const name = this.fresh(`${def.onnxType.toLowerCase()}_${id}`);
    const node = {} as { -readonly [K in keyof GraphNode]: GraphNode[K] };
    const output = new GraphValue(this, name, out.dtype, out.shape, node);
    const outputIndex = out.outputIndex ?? 0;
    const sibling = out.sibling ? this.producerOf(out.sibling) : undefined;
    if (typeof sibling === 'string') {
      throw new ParleyError('GRAPH_SHAPE', `${def.onnxType}: sibling must be a node output`);
    }
    const fields = {
      id,
      def,
      inputs: [...inputs],
      output,
      attrs,
      graph: this,
      outputIndex,
      sibling,
    };
    Object.assign(node, fields);
    this.nodeList.push(node);
    return output;
  }

  /** A name nobody has used yet, based on `base`, without reserving it (for leaves). */
  unusedName(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    return name;
  }

  /** Reserves a name nobody has used, based on `base`. */
  fresh(base: string): string {
    let name = base;
    while (this.names.has(name)) name = `${base}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  owns(value: Value): boolean {
    return value instanceof GraphValue && value.graph === this;
  }

  private checkOwned(op: string, value: Value): void {
    if (!this.owns(value)) {
      throw new ParleyError('GRAPH_SHAPE', `${op}: value ${value.name} belongs to another graph`);
    }
  }

  private leaf(name: string, dtype: DType, shape: Dim[], kind: LeafKind): Value {
    if (this.names.has(name)) {
      throw new ParleyError('GRAPH_SHAPE', `graph: the name ${name} is already used`);
    }
    this.names.add(name);
    return new GraphValue(this, name, dtype, [...shape], kind);
  }

  private cachedConstant(dtype: DType, shape: number[], values: readonly number[]): Value {
    const key = `${dtype}:${shape.join('x')}:${values.join(',')}`;
    let v = this.constCache.get(key);
    if (!v) {
      v = this.constant(
        this.unusedName(`const_${this.constCache.size}`),
        [...values],
        dtype,
        shape,
      );
      this.constCache.set(key, v);
    }
    return v;
  }
}

/** The graph a value belongs to; all values handed to one op must share it. */
export function graphOf(op: string, ...values: Value[]): Graph {
  const first = asGraphValue(values[0]);
  for (const v of values) {
    if (asGraphValue(v).graph !== first.graph) {
      throw new ParleyError(
        'GRAPH_SHAPE',
        `${op}: inputs ${first.name} and ${v.name} belong to different graphs`,
      );
    }
  }
  return first.graph;
}

function asGraphValue(value: Value): GraphValue {
  if (!(value instanceof GraphValue)) {
    throw new ParleyError('GRAPH_SHAPE', `value ${String(value?.name)} was not made by a Graph`);
  }
  return value;
}

function checkStaticShape(kind: string, name: string, shape: readonly Dim[]): void {
  if (!shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new ParleyError(
      'GRAPH_SHAPE',
      `${kind} ${name}: expected a shape of non-negative integers, got ${formatShape(shape)}`,
    );
  }
}

function checkLength(kind: string, name: string, shape: readonly number[], length: number): void {
  const size = staticSize(shape) ?? 0;
  if (size !== length) {
    throw new ParleyError(
      'GRAPH_SHAPE',
      `${kind} ${name}: shape ${formatShape(shape)} needs ${size} values, got ${length}`,
    );
  }
}

function toConstantData(
  name: string,
  data: Float32Array | BigInt64Array | number[],
  dtype: DType,
): ConstantData {
  if (dtype === 'float32' || dtype === 'float64') {
    if (data instanceof BigInt64Array) throw dtypeMismatch(name, dtype, 'BigInt64Array');
    return dtype === 'float32' ? Float32Array.from(data) : Float64Array.from(data);
  }
  if (dtype === 'int64') {
    if (data instanceof BigInt64Array) return BigInt64Array.from(data);
    return BigInt64Array.from(Array.from(data, (x) => BigInt(Math.trunc(x))));
  }
  if (data instanceof BigInt64Array) throw dtypeMismatch(name, dtype, 'BigInt64Array');
  return Uint8Array.from(data, (x) => (x ? 1 : 0));
}

function dtypeMismatch(name: string, dtype: DType, got: string): ParleyError {
  return new ParleyError('GRAPH_SHAPE', `constant ${name}: ${dtype} data expected, got ${got}`);
}
