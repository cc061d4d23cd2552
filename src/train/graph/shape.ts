/**
 * Static shapes with symbolic dims. A numeric dim is exact; a string dim names a size known
 * only at run time ('batch', 'seq'). Products of symbols are kept in a canonical form
 * ('batch*seq', '4*seq') so a reshape to [-1, 128] and back can be checked statically.
 */
import { ParleyError } from '../../core/errors.js';
import type { Dim } from './graph.js';

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}

/** The error every op throws for a shape or dtype mismatch: op, input, expected, actual. */
export function shapeError(
  op: string,
  input: string,
  expected: string,
  actual: string,
): ParleyError {
  return new ParleyError(
    'GRAPH_SHAPE',
    `${op}: input ${input} expected ${expected}, got ${actual}`,
  );
}

export function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw shapeError(op, 'axis', `an axis in [-${rank}, ${rank - 1}]`, String(axis));
  }
  return a;
}

/** Numpy broadcasting; symbolic dims must match by name (only a literal 1 broadcasts). */
export function broadcastShapes(
  op: string,
  a: readonly Dim[],
  b: readonly Dim[],
  names: [string, string],
): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else {
      throw shapeError(
        op,
        names[1],
        `a shape broadcastable with ${names[0]} ${formatShape(a)}`,
        formatShape(b),
      );
    }
  }
  return out;
}

interface DimTerm {
  coef: number;
  syms: string[];
}

function parseDim(d: Dim): DimTerm {
  if (typeof d === 'number') return { coef: d, syms: [] };
  const term: DimTerm = { coef: 1, syms: [] };
  for (const token of d.split('*')) {
    if (/^\d+$/.test(token)) term.coef *= Number(token);
    else term.syms.push(token);
  }
  return term;
}

function formatTerm(t: DimTerm): Dim {
  if (t.syms.length === 0) return t.coef;
  const syms = [...t.syms].sort();
  return (t.coef === 1 ? syms : [String(t.coef), ...syms]).join('*');
}

/** Product of dims in canonical form: a number when every dim is numeric. */
export function dimProduct(dims: readonly Dim[]): Dim {
  const t: DimTerm = { coef: 1, syms: [] };
  for (const d of dims) {
    const p = parseDim(d);
    t.coef *= p.coef;
    t.syms.push(...p.syms);
  }
  return formatTerm(t.coef === 0 ? { coef: 0, syms: [] } : t);
}

/** total / divisor when it divides exactly (symbols cancel by name), else undefined. */
export function dimQuotient(total: Dim, divisor: Dim): Dim | undefined {
  const t = parseDim(total);
  const d = parseDim(divisor);
  if (d.coef === 0 || t.coef % d.coef !== 0) return undefined;
  const syms = [...t.syms];
  for (const s of d.syms) {
    const i = syms.indexOf(s);
    if (i < 0) return undefined;
    syms.splice(i, 1);
  }
  return formatTerm({ coef: t.coef / d.coef, syms });
}

/** Element count when every dim is numeric. */
export function staticSize(shape: readonly Dim[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

export function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
