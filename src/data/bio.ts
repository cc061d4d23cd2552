import { ParleyError } from '../core/errors.js';
import type { Token } from '../nlu/tokenize.js';
import type { EntityAnnotation } from './example.js';

/**
 * Conversion between character-offset entities and one BIO tag per token (`O`, `B-type`,
 * `I-type`). The round trip offsets -> tags -> offsets is lossless for entities whose start is a
 * token's start and whose end is a token's end; two adjacent entities of one type stay two
 * (the second starts with `B-`).
 */

export type EntitySpan = Pick<EntityAnnotation, 'type' | 'start' | 'end'>;

export interface Misalignment {
  entity: EntitySpan;
  /** Why it does not map cleanly onto tokens, and what `toBio` did with it. */
  reason: string;
}

export interface BioAlignment {
  tags: string[];
  misaligned: Misalignment[];
}

/**
 * Tags tokens with entities and reports every entity that does not align with token edges.
 * Such an entity is widened to the tokens it overlaps when those are still free; one that
 * overlaps no token, or a token another entity already holds, is dropped.
 */
export function alignEntities(
  tokens: readonly Token[],
  entities: readonly EntitySpan[],
): BioAlignment {
  const tags = new Array<string>(tokens.length).fill('O');
  const misaligned: Misalignment[] = [];
  const sorted = [...entities].sort((a, b) => a.start - b.start || a.end - b.end);

  for (const entity of sorted) {
    const covered = overlappingTokens(tokens, entity);
    if (covered === undefined) {
      misaligned.push({ entity, reason: 'covers no token; dropped from the tags' });
      continue;
    }
    const [first, last] = covered;
    if (tags.slice(first, last + 1).some((tag) => tag !== 'O')) {
      misaligned.push({
        entity,
        reason: 'shares a token with another entity; dropped from the tags',
      });
      continue;
    }
    const aligned = tokens[first].start === entity.start && tokens[last].end === entity.end;
    if (!aligned) {
      misaligned.push({
        entity,
        reason:
          `does not align with token boundaries; tagged as the tokens it overlaps ` +
          `[${tokens[first].start}, ${tokens[last].end})`,
      });
    }
    tags[first] = `B-${entity.type}`;
    for (let i = first + 1; i <= last; i += 1) tags[i] = `I-${entity.type}`;
  }
  return { tags, misaligned };
}

/** One tag per token; see `alignEntities` for what happens to misaligned entities. */
export function toBio(tokens: readonly Token[], entities: readonly EntitySpan[]): string[] {
  return alignEntities(tokens, entities).tags;
}

/**
 * Entities from one tag per token, with offsets into `text` (the text the tokens were cut
 * from). An `I-` tag that does not continue a span of its type starts a new entity, as if it
 * were `B-`.
 */
export function fromBio(
  tokens: readonly Token[],
  tags: readonly string[],
  text: string,
): EntityAnnotation[] {
  if (tags.length !== tokens.length) {
    throw new ParleyError(
      'DATA_INVALID',
      `fromBio got ${tags.length} tags for ${tokens.length} tokens; expected one tag per token`,
    );
  }
  const entities: EntityAnnotation[] = [];
  let open: { type: string; start: number; end: number } | undefined;
  const close = () => {
    if (open) entities.push({ ...open, value: text.slice(open.start, open.end) });
    open = undefined;
  };

  tags.forEach((tag, i) => {
    const parsed = parseTag(tag);
    if (parsed === undefined) {
      close();
      return;
    }
    if (parsed.prefix === 'I' && open?.type === parsed.type) {
      open.end = tokens[i].end;
      return;
    }
    close();
    open = { type: parsed.type, start: tokens[i].start, end: tokens[i].end };
  });
  close();
  return entities;
}

/** `B-order_id` -> { prefix: 'B', type: 'order_id' }; `O` -> undefined. */
export function parseTag(tag: string): { prefix: 'B' | 'I'; type: string } | undefined {
  if (tag === 'O') return undefined;
  const match = /^([BI])-(.+)$/.exec(tag);
  if (match === null) {
    throw new ParleyError(
      'DATA_INVALID',
      `tag \`${tag}\` is not BIO; expected O, B-<type> or I-<type>`,
    );
  }
  return { prefix: match[1] as 'B' | 'I', type: match[2] };
}

/** First and last index of the tokens that overlap the span, or undefined when none do. */
function overlappingTokens(
  tokens: readonly Token[],
  span: EntitySpan,
): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < tokens.length; i += 1) {
    if (tokens[i].end <= span.start || tokens[i].start >= span.end) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0 ? undefined : [first, last];
}
