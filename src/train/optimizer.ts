/**
 * AdamW (decoupled weight decay, Loshchilov & Hutter) written as graph ops, so the update runs
 * inside the same ONNX session as the forward and backward pass. Per param p with gradient g:
 *
 *   g̃  = g · c                     c = min(1, clipNorm / ‖g‖₂) over all params (1 without clip)
 *   m' = β₁·m + (1 − β₁)·g̃
 *   v' = β₂·v + (1 − β₂)·g̃²
 *   p' = p·(1 − lr·λ) − (lr / (1 − β₁ᵗ)) · m' / (√(v' / (1 − β₂ᵗ)) + ε)
 *
 * with t the 1-based step, λ the weight decay (0 for params matched by `noDecay`). This is
 * PyTorch's AdamW update order (decay uses p before the Adam step). The graph computes the
 * same value as (lr·√b₂ / b₁) · m' / (√v' + ε·√b₂) with bᵢ = 1 − βᵢᵗ, which moves the bias
 * corrections onto scalars and saves one pass over every param per step.
 *
 * Large sparse tables are updated outside the graph, by the same rule (host-table.ts).
 */
import type { Graph, Value } from './graph/graph.js';
import { add, div, maximum, mul, pow, sub } from './graph/ops/arithmetic.js';
import { reduceSum } from './graph/ops/reduce.js';
import { sqrt } from './graph/ops/unary.js';

export interface AdamWOptions {
  /** First-moment decay, in [0, 1); 0.9 is usual. */
  beta1: number;
  /** Second-moment decay, in [0, 1); 0.999 is usual. */
  beta2: number;
  /** Added to √v̂ to avoid division by zero; 1e-8 is usual. */
  eps: number;
  /** Decoupled weight decay λ per unit of learning rate; 0 disables it. */
  weightDecay: number;
  /** Clip the global L2 norm of all gradients to this value; undefined disables clipping. */
  clipNorm?: number;
}

/** What to update: a param and its gradient. */
export interface AdamWTarget {
  param: Value;
  /** Same shape as param. */
  grad: Value;
}

/** The state of one target in the step graph: inputs, and their updated values as outputs. */
export interface AdamWSlot {
  param: Value;
  /** Full-size moment inputs. */
  m: Value;
  v: Value;
  /** The new values. */
  newParam: Value;
  newM: Value;
  newV: Value;
}

export interface AdamWGraph {
  /** Learning rate, float32 scalar input. */
  lr: Value;
  /** 1-based step number t as a float32 scalar input (for bias correction). */
  step: Value;
  /** Global L2 norm of the gradients before clipping. */
  gradNorm: Value;
  slots: AdamWSlot[];
}

/** Appends the AdamW update for every target to `graph`. */
export function buildAdamW(
  graph: Graph,
  targets: readonly AdamWTarget[],
  options: AdamWOptions,
  noDecay: (paramName: string) => boolean = () => false,
): AdamWGraph {
  const { beta1, beta2, eps, weightDecay, clipNorm } = options;
  const lr = graph.input(graph.unusedName('optim.lr'), 'float32', []);
  const step = graph.input(graph.unusedName('optim.step'), 'float32', []);

  // global norm: squares are reused by the second-moment update below
  const squares = targets.map((t) => mul(t.grad, t.grad));
  const gradNorm = sqrt(squares.map((s) => reduceSum(s, [])).reduce((a, b) => add(a, b)));
  const scale = clipNorm === undefined ? undefined : div(clipNorm, maximum(gradNorm, clipNorm));

  // scalar factors, computed once per step
  const mCoef = scale ? mul(scale, 1 - beta1) : 1 - beta1;
  const vCoef = scale ? mul(mul(scale, scale), 1 - beta2) : 1 - beta2;
  const rootB2 = sqrt(sub(1, pow(beta2, step)));
  const stepSize = div(mul(lr, rootB2), sub(1, pow(beta1, step)));
  const epsHat = mul(rootB2, eps);
  const keep = sub(1, mul(lr, weightDecay));

  const slots = targets.map(({ param, grad }, i): AdamWSlot => {
    const shape = [...param.shape];
    const m = graph.input(graph.unusedName(`optim.m.${param.name}`), 'float32', shape);
    const v = graph.input(graph.unusedName(`optim.v.${param.name}`), 'float32', shape);
    const newM = add(mul(m, beta1), mul(grad, mCoef));
    const newV = add(mul(v, beta2), mul(squares[i], vCoef));
    const update = mul(div(newM, add(sqrt(newV), epsHat)), stepSize);
    const decayed = weightDecay === 0 || noDecay(param.name) ? param : mul(param, keep);
    return { param, m, v, newParam: sub(decayed, update), newM, newV };
  });

  return { lr, step, gradNorm, slots };
}
