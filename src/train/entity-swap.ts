/**
 * Entity swapping, a training-time augmentation: every epoch, each entity mention of a training
 * example is replaced, with a given chance, by another mention of the same type seen in the
 * training data ("flights from boston" becomes "flights from denver"), and the example is encoded
 * again. The model then learns intents and roles from the words around a value instead of
 * remembering which values came with which intent (an airline that training shows only in flight
 * requests pulls "are snacks served on <it>" towards a flight). The data and its size stay as they
 * are; an epoch sees each example once, swapped or not.
 */
import type { EntityAnnotation, Example } from '../data/example.js';
import type { Rng } from './rng.js';

export class EntitySwapper {
  private constructor(private readonly values: ReadonlyMap<string, readonly string[]>) {}

  /**
   * Mentions by type from `examples`: the distinct texts, sorted so the same data gives the
   * same pools in any order. Types with one distinct mention have nothing to swap with.
   */
  static fromExamples(examples: readonly Example[]): EntitySwapper {
    const byType = new Map<string, Set<string>>();
    for (const example of examples) {
      for (const entity of example.entities) {
        const set = byType.get(entity.type) ?? new Set<string>();
        set.add(entity.value);
        byType.set(entity.type, set);
      }
    }
    const values = new Map<string, string[]>();
    for (const [type, set] of byType) if (set.size > 1) values.set(type, [...set].sort());
    return new EntitySwapper(values);
  }

  /** Distinct mentions of `type` that swaps draw from (empty when there is nothing to swap). */
  mentionsOf(type: string): readonly string[] {
    return this.values.get(type) ?? [];
  }

  /**
   * `example` with each mention replaced, with chance `rate`, by a mention of its type drawn
   * uniformly from the pool (which may draw the same text). Undefined when nothing changed, or
   * when the example's entities overlap (there is no one way to rewrite them).
   */
  swap(example: Example, rate: number, rng: Rng): Example | undefined {
    if (rate <= 0 || example.entities.length === 0) return undefined;
    const entities = [...example.entities].sort((a, b) => a.start - b.start);
    for (let i = 1; i < entities.length; i++) {
      if (entities[i].start < entities[i - 1].end) return undefined;
    }
    const replacements = entities.map((entity) => this.draw(entity, rate, rng));
    if (replacements.every((value, i) => value === entities[i].value)) return undefined;
    return rewrite(example, entities, replacements);
  }

  private draw(entity: EntityAnnotation, rate: number, rng: Rng): string {
    const pool = this.values.get(entity.type);
    // one draw per mention whether or not it can swap, so pools do not shift later draws
    const swaps = rng.next() < rate;
    if (!swaps || !pool) return entity.value;
    return pool[rng.int(pool.length)];
  }
}

/** The example with its (sorted, disjoint) entities' texts replaced and their offsets moved. */
function rewrite(
  example: Example,
  entities: readonly EntityAnnotation[],
  replacements: readonly string[],
): Example {
  let text = '';
  let at = 0;
  const moved: EntityAnnotation[] = entities.map((entity, i) => {
    text += example.text.slice(at, entity.start);
    const start = text.length;
    const value = replacements[i];
    text += value;
    at = entity.end;
    // a swapped mention's synonym mapping belonged to the old text; an unchanged one keeps it
    const kept = value === entity.value ? entity.normalized : undefined;
    return kept === undefined
      ? { type: entity.type, start, end: text.length, value }
      : { type: entity.type, start, end: text.length, value, normalized: kept };
  });
  text += example.text.slice(at);
  return { ...example, text, entities: moved };
}
