import type { PredictedEntity } from './types.js';

/**
 * BIO tags and their decoding.
 *
 * Tag ids: `O` is always id 0, then `B-<type>` and `I-<type>` for each entity type in order
 * (`B` at 1 + 2k, `I` at 2 + 2k). `O` sits at 0 because padding and the `__CLS__` row are
 * labelled 0 by construction (zero-filled buffers), and because warm-starting a model with new
 * entity types appends tags without moving the ones that exist.
 *
 * Decoding is a constrained Viterbi over per-token log-probabilities: the only constraint is
 * that `I-x` may follow only `B-x` or `I-x`, so every decoded path is valid BIO and every span has
 * one type. There are no learned transition scores; the encoder already sees the context.
 */

export const OUTSIDE_TAG = 'O';

export function buildTags(entityTypes: readonly string[]): string[] {
  return [OUTSIDE_TAG, ...entityTypes.flatMap((type) => [`B-${type}`, `I-${type}`])];
}

/** Entity types in tag order, read back from a tag list built by `buildTags`. */
export function entityTypesOf(tags: readonly string[]): string[] {
  return tags.filter((tag) => tag.startsWith('B-')).map((tag) => tag.slice(2));
}

/** Checks that `tags` has the layout `buildTags` makes; returns what is wrong, or undefined. */
export function checkTagLayout(tags: readonly string[]): string | undefined {
  if (tags[0] !== OUTSIDE_TAG) return `the first tag must be "O", found ${JSON.stringify(tags[0])}`;
  if (tags.length % 2 !== 1) return `expected "O" plus B/I pairs, found ${tags.length} tags`;
  for (let i = 1; i < tags.length; i += 2) {
    const type = tags[i].slice(2);
    if (!tags[i].startsWith('B-') || tags[i + 1] !== `I-${type}` || type.length === 0) {
      return `tags ${i} and ${i + 1} must be B-x and I-x, found ${tags[i]} and ${tags[i + 1]}`;
    }
  }
  return undefined;
}

/** `I-x` (at an even id >= 2) may follow only `B-x` (id - 1) or `I-x` itself. */
function isInside(tag: number): boolean {
  return tag > 0 && tag % 2 === 0;
}

/**
 * Best valid tag path for `count` tokens. `logProbs` holds `[count, tagCount]` row-major
 * log-probabilities starting at `offset` (or raw logits: a per-row shift changes no path).
 * `tagCount` is O plus B/I pairs (`buildTags`). Runs in O(count * tagCount): for `O` and `B-x`
 * every predecessor is allowed, so the best one is the running maximum; `I-x` compares two.
 */
export function constrainedViterbi(
  logProbs: ArrayLike<number>,
  count: number,
  tagCount: number,
  offset = 0,
): number[] {
  if (tagCount % 2 !== 1) {
    throw new RangeError(`constrainedViterbi: expected O plus B/I pairs, got ${tagCount} tags`);
  }
  if (count === 0) return [];
  const { score: first, next: second, back } = viterbiScratch(count, tagCount);
  let score = first;
  let next = second;

  for (let j = 0; j < tagCount; j++) {
    score[j] = isInside(j) ? -Infinity : logProbs[offset + j];
  }
  for (let t = 1; t < count; t++) {
    let best = 0;
    for (let j = 1; j < tagCount; j++) if (score[j] > score[best]) best = j;
    const row = offset + t * tagCount;
    const at = t * tagCount;
    // O (id 0) and every B-x (odd ids) follow the best tag; I-x (the even id after its B-x)
    // follows whichever of B-x and I-x scores higher.
    next[0] = score[best] + logProbs[row];
    back[at] = best;
    for (let j = 1; j + 1 < tagCount; j += 2) {
      next[j] = score[best] + logProbs[row + j];
      back[at + j] = best;
      const from = score[j] >= score[j + 1] ? j : j + 1;
      next[j + 1] = score[from] + logProbs[row + j + 1];
      back[at + j + 1] = from;
    }
    [score, next] = [next, score];
  }

  let last = 0;
  for (let j = 1; j < tagCount; j++) if (score[j] > score[last]) last = j;
  const path = new Array<number>(count);
  path[count - 1] = last;
  for (let t = count - 1; t > 0; t--) path[t - 1] = back[t * tagCount + path[t]];
  return path;
}

/**
 * Buffers reused by every call (decoding is synchronous, so calls never overlap): allocating
 * three typed arrays per message cost more than the search itself.
 */
let scratch = { score: new Float64Array(64), next: new Float64Array(64), back: new Int32Array(64) };

function viterbiScratch(count: number, tagCount: number): typeof scratch {
  if (scratch.score.length < tagCount || scratch.back.length < count * tagCount) {
    const width = Math.max(tagCount, scratch.score.length);
    scratch = {
      score: new Float64Array(width),
      next: new Float64Array(width),
      back: new Int32Array(Math.max(count * tagCount, scratch.back.length)),
    };
  }
  return scratch;
}

export interface TokenSpan {
  start: number;
  end: number;
}

/**
 * Turns a valid tag path into entities. A span runs from its first token's start to its last
 * token's end in `text`, so `value === text.slice(start, end)` by construction; its confidence is
 * the mean probability of the chosen tag over the span's tokens.
 */
export function pathToEntities(
  text: string,
  tokens: readonly TokenSpan[],
  path: readonly number[],
  tags: readonly string[],
  probabilityOf: (token: number, tag: number) => number,
): PredictedEntity[] {
  const entities: PredictedEntity[] = [];
  let open: { type: string; first: number; last: number; sum: number } | undefined;

  const close = () => {
    if (!open) return;
    const start = tokens[open.first].start;
    const end = tokens[open.last].end;
    const confidence = open.sum / (open.last - open.first + 1);
    entities.push({ type: open.type, value: text.slice(start, end), start, end, confidence });
    open = undefined;
  };

  for (let t = 0; t < path.length; t++) {
    const tag = path[t];
    if (isInside(tag) && open) {
      open.last = t;
      open.sum += probabilityOf(t, tag);
      continue;
    }
    close();
    if (tag > 0) open = { type: tags[tag].slice(2), first: t, last: t, sum: probabilityOf(t, tag) };
  }
  close();
  return entities;
}
