/** Helpers shared by the op files: operand coercion, dtype checks, broadcast-gradient reduction. */
import { graphOf, type DType, type Graph, type Value } from '../graph.js';
import { formatShape, shapeError } from '../shape.js';
import { reduceSum } from './reduce.js';

/** A value, or a plain number that becomes a scalar constant of the other operand's dtype. */
export type Operand = Value | number;

export function binaryOperands(op: string, a: Operand, b: Operand): [Graph, Value, Value] {
  if (typeof a === 'number' && typeof b === 'number') {
    throw shapeError(op, 'a', 'at least one graph value', 'two numbers');
  }
  const g = graphOf(op, ...([a, b].filter((x) => typeof x !== 'number') as Value[]));
  const like = (typeof a === 'number' ? b : a) as Value;
  const lift = (x: Operand): Value => (typeof x === 'number' ? g.scalar(x, like.dtype) : x);
  return [g, lift(a), lift(b)];
}

export function requireDtype(op: string, input: string, v: Value, allowed: readonly DType[]): void {
  if (!allowed.includes(v.dtype)) {
    throw shapeError(op, input, `dtype ${allowed.join(' or ')}`, `${v.dtype} ${v.name}`);
  }
}

export function requireRank(op: string, input: string, v: Value, rank: number): void {
  if (v.shape.length !== rank) {
    throw shapeError(op, input, `rank ${rank}`, `${formatShape(v.shape)} (${v.name})`);
  }
}

/**
 * Sums a broadcast gradient back to the shape of the input it flowed from: leading axes the
 * input did not have are summed away, axes where the input had a literal 1 are summed and kept.
 */
export function sumToShape(gy: Value, shape: readonly (number | string)[]): Value {
  const lead = gy.shape.length - shape.length;
  const kept: number[] = [];
  shape.forEach((d, i) => {
    if (d === 1 && gy.shape[i + lead] !== 1) kept.push(i + lead);
  });
  let out = gy;
  if (kept.length > 0) out = reduceSum(out, kept, true);
  if (lead > 0) out = reduceSum(out, [...Array(lead).keys()], false);
  return out;
}
