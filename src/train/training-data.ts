/**
 * Training data as the trainer needs it: a dev split carved with a seed, the data hash stored in
 * the manifest, labels, and the per-token tag ids of each example.
 */
import { createHash } from 'node:crypto';
import type { EntityAnnotation, Example } from '../data/example.js';
import type { Rng } from './rng.js';

/**
 * Carves a dev split of about `fraction` of the examples, stratified by intent so every intent
 * with at least 3 examples has at least one dev example (and keeps at least two for training).
 * The order of both parts follows the input order.
 */
export function carveDev(
  examples: readonly Example[],
  fraction: number,
  rng: Rng,
): { train: Example[]; dev: Example[] } {
  const byIntent = new Map<string, number[]>();
  examples.forEach((example, index) => {
    const list = byIntent.get(example.intent) ?? [];
    list.push(index);
    byIntent.set(example.intent, list);
  });

  const devIndexes = new Set<number>();
  for (const intent of [...byIntent.keys()].sort()) {
    const indexes = rng.shuffle([...(byIntent.get(intent) as number[])]);
    if (indexes.length < 3) continue;
    const take = Math.min(indexes.length - 2, Math.max(1, Math.round(indexes.length * fraction)));
    for (const index of indexes.slice(0, take)) devIndexes.add(index);
  }
  return {
    train: examples.filter((_, index) => !devIndexes.has(index)),
    dev: examples.filter((_, index) => devIndexes.has(index)),
  };
}

/** sha256 over the examples in training order, then the dev examples: "sha256:<hex>". */
export function dataHash(train: readonly Example[], dev: readonly Example[]): string {
  const hash = createHash('sha256');
  const line = (example: Example) =>
    JSON.stringify([
      example.text,
      example.intent,
      example.entities.map((e) => [e.type, e.start, e.end, e.normalized ?? null]),
    ]);
  for (const example of train) hash.update(`${line(example)}\n`);
  hash.update('--dev--\n');
  for (const example of dev) hash.update(`${line(example)}\n`);
  return `sha256:${hash.digest('hex')}`;
}

/** Sorted distinct intents and entity types of the examples. */
export function labelsOf(examples: readonly Example[]): {
  intents: string[];
  entityTypes: string[];
} {
  const intents = new Set<string>();
  const types = new Set<string>();
  for (const example of examples) {
    intents.add(example.intent);
    for (const entity of example.entities) types.add(entity.type);
  }
  return { intents: [...intents].sort(), entityTypes: [...types].sort() };
}

/**
 * Tag ids per token for one example: `B-x` on the first token an entity overlaps, `I-x` on the
 * rest, `O` (0) elsewhere. `tagIds` maps tag names to ids. `misaligned` counts entities whose
 * edges fall inside a token (the token is tagged anyway) and entities past the last token
 * (cut off by truncation; they are left out).
 */
export function tagTokens(
  tokens: readonly { start: number; end: number }[],
  entities: readonly EntityAnnotation[],
  tagIds: ReadonlyMap<string, number>,
): { tags: Int32Array; misaligned: number; dropped: number } {
  const tags = new Int32Array(tokens.length);
  let misaligned = 0;
  let dropped = 0;
  for (const entity of entities) {
    const covered: number[] = [];
    tokens.forEach((token, t) => {
      if (token.start < entity.end && token.end > entity.start) covered.push(t);
    });
    const begin = tagIds.get(`B-${entity.type}`);
    const inside = tagIds.get(`I-${entity.type}`);
    if (covered.length === 0 || begin === undefined || inside === undefined) {
      dropped++;
      continue;
    }
    const first = tokens[covered[0]];
    const last = tokens[covered[covered.length - 1]];
    if (first.start !== entity.start || last.end !== entity.end) misaligned++;
    covered.forEach((t, i) => (tags[t] = i === 0 ? begin : inside));
  }
  return { tags, misaligned, dropped };
}
