import { describe, expect, it } from 'vitest';
import { isParleyError } from '../../../src/core/errors.js';
import { Graph, type Value } from '../../../src/train/graph/graph.js';
import { grad } from '../../../src/train/graph/grad.js';
import * as op from '../../../src/train/graph/ops/index.js';

function graphWith(): { g: Graph; v: (name: string, shape: (number | string)[]) => Value } {
  const g = new Graph();
  return { g, v: (name, shape) => g.input(name, 'float32', shape) };
}

/** Runs `build` and returns the GRAPH_SHAPE error's message (fails if none is thrown). */
function shapeMessage(build: () => unknown): string {
  try {
    build();
  } catch (err) {
    if (isParleyError(err, 'GRAPH_SHAPE')) return err.message;
    throw err;
  }
  throw new Error('expected a GRAPH_SHAPE error');
}

describe('shape errors name op, input, expected and actual shape', () => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      'matMul inner dims',
      () => {
        const { v } = graphWith();
        return op.matMul(v('a', [2, 3]), v('b', [4, 5]));
      },
      /^matMul: input b expected \[\.\., 3, n\] to match a \[2, 3\], got \[4, 5\]$/,
    ],
    [
      'add broadcasting',
      () => {
        const { v } = graphWith();
        return op.add(v('a', ['batch', 3]), v('b', [4]));
      },
      /^add: input b expected a shape broadcastable with a \[batch, 3\], got \[4\]$/,
    ],
    [
      'symbolic dims only match by name',
      () => {
        const { v } = graphWith();
        return op.mul(v('a', ['batch', 3]), v('b', ['seq', 3]));
      },
      /mul: input b .*\[batch, 3\], got \[seq, 3\]/,
    ],
    [
      'gather indices dtype',
      () => {
        const { v } = graphWith();
        return op.gather(v('t', [5, 2]), v('i', [3]));
      },
      /^gather: input indices expected dtype int64, got float32 i$/,
    ],
    [
      'reshape element count',
      () => {
        const { v } = graphWith();
        return op.reshape(v('x', [2, 3]), [4, 2]);
      },
      /^reshape: input shape expected 6 elements as in \[2, 3\], got \[4, 2\]$/,
    ],
    [
      'reshape two inferred dims',
      () => {
        const { v } = graphWith();
        return op.reshape(v('x', [2, 3]), [-1, -1]);
      },
      /reshape: input shape expected at most one inferred/,
    ],
    [
      'transpose permutation',
      () => {
        const { v } = graphWith();
        return op.transpose(v('x', [2, 3]), [0, 0]);
      },
      /^transpose: input perm expected a permutation of 0\.\.1 for \[2, 3\], got \[0,0\]$/,
    ],
    [
      'concat mismatched dims',
      () => {
        const { v } = graphWith();
        return op.concat([v('a', [2, 3]), v('b', [3, 3])], 1);
      },
      /^concat: input xs\[1\] expected float32 \[2, \*\], got float32 \[3, 3\]$/,
    ],
    [
      'squeeze of a non-1 dim',
      () => {
        const { v } = graphWith();
        return op.squeeze(v('x', [2, 3]), [1]);
      },
      /^squeeze: input x expected dim 1 to be 1, got \[2, 3\] \(x\)$/,
    ],
    [
      'axis out of range',
      () => {
        const { v } = graphWith();
        return op.softmax(v('x', [2, 3]), 2);
      },
      /^softmax: input axis expected an axis in \[-2, 1\], got 2$/,
    ],
    [
      'layerNorm gain width',
      () => {
        const { v } = graphWith();
        return op.layerNorm(v('x', [2, 4]), v('g', [3]), v('b', [4]));
      },
      /^layerNorm: input gamma expected \[4\] for x \[2, 4\], got \[3\]$/,
    ],
    [
      'crossEntropy labels length',
      () => {
        const { g, v } = graphWith();
        return op.crossEntropy(v('l', [4, 3]), g.input('y', 'int64', [5]), v('w', [4]));
      },
      /^crossEntropy: input labels expected \[4\] for logits \[4, 3\], got \[5\]$/,
    ],
    [
      'param init length',
      () => new Graph().param('w', [2, 2], new Float32Array(3)),
      /^param w: shape \[2, 2\] needs 4 values, got 3$/,
    ],
    [
      'duplicate names',
      () => {
        const { v } = graphWith();
        v('x', [1]);
        return v('x', [1]);
      },
      /the name x is already used/,
    ],
    [
      'values from two graphs',
      () => op.add(new Graph().input('a', 'float32', [1]), new Graph().input('b', 'float32', [1])),
      /add: inputs a and b belong to different graphs/,
    ],
    [
      'non-scalar loss',
      () => {
        const { g, v } = graphWith();
        const x = v('x', [3]);
        return grad(g, x, [x]);
      },
      /grad: loss x expected a float32 scalar, got float32 \[3\]/,
    ],
  ];

  it.each(cases)('%s', (_, build, pattern) => {
    expect(shapeMessage(build)).toMatch(pattern);
  });
});

describe('static shape inference', () => {
  it('keeps symbolic dims through reshape round trips', () => {
    const { v } = graphWith();
    const x = v('x', ['batch', 'seq', 128]);
    const rows = op.reshape(x, [-1, 128]);
    expect(rows.shape).toEqual(['batch*seq', 128]);
    const heads = op.reshape(x, [0, 0, 4, 32]);
    expect(heads.shape).toEqual(['batch', 'seq', 4, 32]);
    expect(op.reshape(heads, ['batch', 'seq', -1]).shape).toEqual(['batch', 'seq', 128]);
  });

  it('broadcasts batch dims in matMul', () => {
    const { v } = graphWith();
    expect(
      op.matMul(v('a', ['batch', 4, 'seq', 32]), v('b', ['batch', 4, 32, 'seq'])).shape,
    ).toEqual(['batch', 4, 'seq', 'seq']);
    expect(op.matMul(v('h', ['batch', 'seq', 128]), v('w', [128, 40])).shape).toEqual([
      'batch',
      'seq',
      40,
    ]);
  });

  it('gives gather the index shape followed by the row shape', () => {
    const { g } = graphWith();
    const table = g.param('t', [10, 8], new Float32Array(80));
    const ids = g.input('ids', 'int64', ['batch', 'seq', 24]);
    expect(op.gather(table, ids).shape).toEqual(['batch', 'seq', 24, 8]);
  });
});
