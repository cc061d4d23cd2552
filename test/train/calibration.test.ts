import { describe, expect, it } from 'vitest';
import { chooseThreshold, fitTemperature, meanNll } from '../../src/train/calibration.js';
import { createRng } from '../../src/train/rng.js';

describe('fitTemperature', () => {
  it('cools over-confident logits and keeps well-calibrated ones near 1', () => {
    // Draw labels from softmax(base logits): T = 1 is right for `base`; `base * 3` is 3x too sharp.
    const rng = createRng(1);
    const classes = 4;
    const count = 4000;
    const base = new Float32Array(count * classes);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const probs: number[] = [];
      for (let c = 0; c < classes; c++) {
        base[i * classes + c] = rng.normal();
        probs.push(Math.exp(base[i * classes + c]));
      }
      const total = probs.reduce((a, b) => a + b, 0);
      let draw = rng.next() * total;
      labels[i] = probs.findIndex((p) => (draw -= p) < 0);
      if (labels[i] < 0) labels[i] = classes - 1;
    }
    const sharp = base.map((value) => value * 3);
    expect(fitTemperature(base, labels, classes)).toBeCloseTo(1, 0);
    expect(fitTemperature(sharp, labels, classes)).toBeCloseTo(3, 0);
    const fitted = fitTemperature(sharp, labels, classes);
    expect(meanNll(sharp, labels, classes, fitted)).toBeLessThan(
      meanNll(sharp, labels, classes, 1),
    );
  });

  it('returns 1 for an empty dev set', () => {
    expect(fitTemperature(new Float32Array(0), new Int32Array(0), 3)).toBe(1);
  });
});

describe('chooseThreshold', () => {
  it('rejects low-confidence predictions when that raises macro-F1 with OOS as a class', () => {
    // classes: 0 = a, 1 = b, 2 = out_of_scope. Two OOS examples were predicted "a" with low
    // confidence; every in-scope prediction is right and confident.
    const confidences = [0.9, 0.95, 0.85, 0.3, 0.4];
    const predicted = [0, 1, 0, 0, 0];
    const labels = [0, 1, 0, 2, 2];
    const choice = chooseThreshold(confidences, predicted, labels, 3, 2);
    expect(choice.macroF1).toBeCloseTo(1, 9);
    // The best plateau runs from between 0.4 and 0.85 to itself: (0.4 + 0.85) / 2.
    expect(choice.threshold).toBeCloseTo(0.625, 9);
    // Without the threshold: a has P 2/4 R 1 -> F1 2/3; b F1 1; oos F1 0 -> mean 5/9.
    expect(choice.macroF1WithoutThreshold).toBeCloseTo(5 / 9, 9);
  });

  it('keeps the threshold at 0 when dev has no out-of-scope examples', () => {
    const choice = chooseThreshold([0.2, 0.9], [0, 1], [0, 1], 3, 2);
    expect(choice.threshold).toBe(0);
    expect(chooseThreshold([0.2], [0], [0], 2, -1).threshold).toBe(0);
  });
});
