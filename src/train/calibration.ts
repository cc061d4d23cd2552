/**
 * Calibration on dev data, after training:
 *
 * - Temperature scaling: one scalar T divides the intent logits so that the softmax's
 *   confidences match how often the model is right (minimum negative log-likelihood on dev).
 *   It never changes the argmax.
 * - The out-of-scope threshold: a prediction whose calibrated confidence is below it comes back
 *   as the out-of-scope intent. It is chosen to maximise macro-F1 over the dev intents with
 *   out-of-scope counted as one more class. Without out-of-scope examples in dev there is
 *   nothing to trade off against, so the threshold is 0 (never reject).
 *
 * Logits are `[count, classes]` row-major.
 */

export function softmaxInto(
  logits: ArrayLike<number>,
  offset: number,
  classes: number,
  temperature: number,
  out: Float64Array | Float32Array,
): void {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[offset + c] / temperature);
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    out[c] = Math.exp(logits[offset + c] / temperature - max);
    sum += out[c];
  }
  for (let c = 0; c < classes; c++) out[c] /= sum;
}

/** log Σ exp(logit / temperature) over `classes` logits from `offset`, without overflow. */
export function logSumExp(
  logits: ArrayLike<number>,
  offset: number,
  classes: number,
  temperature = 1,
): number {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[offset + c] / temperature);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(logits[offset + c] / temperature - max);
  return max + Math.log(sum);
}

/** Entry `index` of the softmax of `classes` logits from `offset`. */
export function softmaxAt(
  logits: ArrayLike<number>,
  offset: number,
  classes: number,
  index: number,
): number {
  return Math.exp(logits[offset + index] - logSumExp(logits, offset, classes));
}

/** Mean negative log-likelihood of `labels` under softmax(logits / temperature). */
export function meanNll(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  temperature: number,
): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const offset = i * classes;
    total +=
      logSumExp(logits, offset, classes, temperature) - logits[offset + labels[i]] / temperature;
  }
  return labels.length === 0 ? 0 : total / labels.length;
}

/**
 * The temperature in [0.25, 10] with the lowest dev NLL, by golden-section search on log T
 * (the NLL is unimodal in T for fixed logits). Returns 1 for an empty dev set. The lower bound
 * matters when every dev example is right: the NLL then keeps falling as T goes to 0, and a
 * small dev set would make every later answer look certain.
 */
export function fitTemperature(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
): number {
  if (labels.length === 0) return 1;
  const nll = (logT: number) => meanNll(logits, labels, classes, Math.exp(logT));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(0.25);
  let hi = Math.log(10);
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = nll(a);
  let fb = nll(b);
  for (let i = 0; i < 60; i++) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = nll(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = nll(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

export interface ThresholdChoice {
  threshold: number;
  /** Macro-F1 on dev at that threshold, out-of-scope counted as a class. */
  macroF1: number;
  /** Macro-F1 on dev with no threshold (0), for comparison. */
  macroF1WithoutThreshold: number;
}

/**
 * Chooses the out-of-scope threshold. `confidences[i]` and `predicted[i]` are the calibrated top
 * confidence and argmax class of dev example i, `labels[i]` its true class, and `oosClass` the
 * out-of-scope class id (-1 when the label set has none). Candidates are the midpoints between
 * consecutive sorted confidences; raising the threshold past an example turns its prediction
 * into out-of-scope, so the scan updates per-class counts in O(classes) per example. Among
 * equally good thresholds it takes the middle of the first best plateau.
 */
export function chooseThreshold(
  confidences: ArrayLike<number>,
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  oosClass: number,
): ThresholdChoice {
  const count = labels.length;
  const hasOos = oosClass >= 0 && Array.from(labels).some((label) => label === oosClass);
  const counts = classCounts(predicted, labels, classes);
  const base = macroF1(counts);
  if (!hasOos || count === 0) return { threshold: 0, macroF1: base, macroF1WithoutThreshold: base };

  const order = Array.from({ length: count }, (_, i) => i).sort(
    (a, b) => confidences[a] - confidences[b],
  );
  const candidates: { threshold: number; score: number }[] = [{ threshold: 0, score: base }];
  for (let k = 0; k < count; k++) {
    const i = order[k];
    moveToOos(counts, predicted[i], labels[i], oosClass);
    const upper = k + 1 < count ? confidences[order[k + 1]] : 1;
    if (upper === confidences[i] && k + 1 < count) continue;
    candidates.push({ threshold: (confidences[i] + upper) / 2, score: macroF1(counts) });
  }

  const best = Math.max(...candidates.map((c) => c.score));
  const first = candidates.findIndex((c) => c.score >= best - 1e-12);
  let last = first;
  while (last + 1 < candidates.length && candidates[last + 1].score >= best - 1e-12) last++;
  const threshold = (candidates[first].threshold + candidates[last].threshold) / 2;
  return { threshold, macroF1: best, macroF1WithoutThreshold: base };
}

interface ClassCounts {
  tp: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
}

function classCounts(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
): ClassCounts {
  const counts = {
    tp: new Float64Array(classes),
    fp: new Float64Array(classes),
    fn: new Float64Array(classes),
  };
  for (let i = 0; i < labels.length; i++) addPrediction(counts, predicted[i], labels[i], 1);
  return counts;
}

function addPrediction(counts: ClassCounts, predicted: number, label: number, sign: 1 | -1) {
  if (predicted === label) counts.tp[label] += sign;
  else {
    counts.fp[predicted] += sign;
    counts.fn[label] += sign;
  }
}

function moveToOos(counts: ClassCounts, predicted: number, label: number, oosClass: number) {
  addPrediction(counts, predicted, label, -1);
  addPrediction(counts, oosClass, label, 1);
}

/** Averages over the classes that occur as a label or a prediction. */
function macroF1(counts: ClassCounts): number {
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < counts.tp.length; c++) {
    const denominator = 2 * counts.tp[c] + counts.fp[c] + counts.fn[c];
    if (denominator === 0) continue;
    sum += (2 * counts.tp[c]) / denominator;
    classes++;
  }
  return classes === 0 ? 0 : sum / classes;
}
