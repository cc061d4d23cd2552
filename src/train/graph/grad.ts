/**
 * Reverse-mode differentiation over a Graph. Walks the nodes between `wrt` and `loss` from the
 * last to the first, asks each op for its vector-Jacobian product, and sums the contributions
 * that reach a value along several paths. The gradient nodes are appended to the same graph.
 */
import { ParleyError } from '../../core/errors.js';
import type { Graph, GraphNode, OpDef, Value } from './graph.js';
import { add } from './ops/arithmetic.js';
import { isFloat } from './ops/cast.js';
import { shapeOf } from './ops/reshape.js';
import { formatShape, staticSize } from './shape.js';

/** d loss / d w for each w in `wrt`, keyed by the value's name. `loss` must be a scalar. */
export function grad(graph: Graph, loss: Value, wrt: Value[]): Map<string, Value> {
  if (!graph.owns(loss))
    throw new ParleyError('GRAPH_SHAPE', `grad: loss ${loss.name} belongs to another graph`);
  if (loss.dtype !== 'float32' || staticSize(loss.shape) !== 1) {
    throw new ParleyError(
      'GRAPH_SHAPE',
      `grad: loss ${loss.name} expected a float32 scalar, ` +
        `got ${loss.dtype} ${formatShape(loss.shape)}`,
    );
  }

  const nodes = relevantNodes(graph, loss, wrt);
  const pending = new Map<string, Value[]>([[loss.name, [graph.scalar(1)]]]);
  const total = (v: Value): Value | undefined => {
    const parts = pending.get(v.name);
    if (!parts) return undefined;
    const sum = parts.reduce((s, p) => add(s, p));
    pending.set(v.name, [sum]);
    return sum;
  };

  for (const node of nodes) {
    const gy = total(node.output);
    if (!gy) continue;
    if (!node.def.grad) {
      throw new ParleyError(
        'GRAPH_SHAPE',
        `grad: op ${node.def.onnxType} (${node.output.name}) has no gradient`,
      );
    }
    const grads = node.def.grad(gy, node);
    node.inputs.forEach((input, i) => {
      const gi = grads[i];
      if (gi && isFloat(input.dtype))
        pending.set(input.name, [...(pending.get(input.name) ?? []), gi]);
    });
  }

  return new Map(wrt.map((w) => [w.name, total(w) ?? zerosLike(graph, w)]));
}

/**
 * Nodes that both depend on some `wrt` value and feed the loss, last first. Snapshotting the
 * list also keeps the walk off the gradient nodes it appends.
 */
function relevantNodes(graph: Graph, loss: Value, wrt: Value[]): GraphNode[] {
  const all = [...graph.nodes];
  const fromWrt = new Set(wrt.map((w) => w.name));
  for (const node of all) {
    if (isFloat(node.output.dtype) && node.inputs.some((i) => fromWrt.has(i.name))) {
      fromWrt.add(node.output.name);
    }
  }
  const toLoss = new Set([loss.name]);
  const picked: GraphNode[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const node = all[i];
    if (!toLoss.has(node.output.name)) continue;
    node.inputs.forEach((input) => toLoss.add(input.name));
    if (fromWrt.has(node.output.name)) picked.push(node);
  }
  return picked;
}

const CONSTANT_OF_SHAPE: OpDef = { onnxType: 'ConstantOfShape', grad: null };

/** A value that does not reach the loss has a zero gradient (made at run time, not stored). */
function zerosLike(graph: Graph, w: Value): Value {
  return graph.node(CONSTANT_OF_SHAPE, [shapeOf(w)], { dtype: 'float32', shape: [...w.shape] });
}
