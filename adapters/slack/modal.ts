import type { types } from '@slack/bolt';
import type { FeedbackRef } from './blocks.js';

/**
 * The "fix" modal: pick the right intent, and type each entity as it appears in the message. The
 * typed values are found in the message text to compute offsets; what cannot be found is
 * explained in the modal (`response_action: errors`). Slack limits checked for bolt 5.1: 100
 * blocks per view, 100 options per select (more go into option groups), 3000 characters of
 * private_metadata, 75 characters of option text, 24 of title.
 */
export const FIX_VIEW = 'parley_fix';
export const INTENT_BLOCK = 'parley_intent';
export const ENTITY_BLOCK_PREFIX = 'parley_entity:';
const INTENT_ACTION = 'intent';
const ENTITY_ACTION = 'values';
const METADATA_LIMIT = 3000;
const OPTIONS_PER_GROUP = 100;
const MAX_ENTITY_BLOCKS = 95;

/** Carried through the modal: what was answered, and which Slack message to update afterwards. */
export interface FixMeta {
  ref: FeedbackRef;
  /** Channel and ts of Parley's reply. */
  c: string;
  ts: string;
  /** The thread the reply is in, for an ephemeral note there. */
  th?: string;
  /** The reply's text sections, to draw it again with the note; left out when too long. */
  r?: string[];
}

export type ViewStateValues = Record<
  string,
  Record<string, { selected_option?: { value?: string } | null; value?: string | null }>
>;

export type FixResult =
  | { ok: true; intent: string; entities?: { type: string; start: number; end: number }[] }
  | { ok: false; errors: Record<string, string> };

export function encodeMeta(meta: FixMeta): string {
  const full = JSON.stringify(meta);
  if (full.length <= METADATA_LIMIT) return full;
  return JSON.stringify({ ...meta, r: undefined });
}

export function decodeMeta(text: string | undefined): FixMeta | undefined {
  if (!text) return undefined;
  try {
    const meta = JSON.parse(text) as FixMeta;
    return typeof meta.ref?.m === 'string' && typeof meta.c === 'string' ? meta : undefined;
  } catch {
    return undefined;
  }
}

export function fixView(
  meta: FixMeta,
  intents: readonly string[],
  entityTypes: readonly string[],
): types.ModalView {
  const text = meta.ref.t;
  const blocks: types.KnownBlock[] = [messageBlock(text), intentBlock(intents, meta.ref.i)];

  if (text !== undefined) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Type each detail exactly as it appears in the message, one per line. Leave a box empty when the message has none.',
        },
      ],
    });
    for (const type of entityTypes.slice(0, MAX_ENTITY_BLOCKS)) {
      blocks.push(entityBlock(type, predictedValues(meta.ref, type)));
    }
  }

  return {
    type: 'modal',
    callback_id: FIX_VIEW,
    title: { type: 'plain_text', text: "Fix Parley's answer" },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: encodeMeta(meta),
    blocks,
  };
}

function messageBlock(text: string | undefined): types.KnownBlock {
  if (text === undefined) {
    return {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'This message is too long to mark details here; you can still pick the right intent.',
      },
    };
  }
  return {
    type: 'section',
    text: { type: 'plain_text', text: text.length > 0 ? text : '(no text)', emoji: false },
  };
}

function intentBlock(intents: readonly string[], predicted: string | undefined): types.KnownBlock {
  const options = intents.map(option);
  const initial =
    predicted !== undefined && intents.includes(predicted) ? option(predicted) : undefined;
  const choices =
    options.length <= OPTIONS_PER_GROUP ? { options } : { option_groups: groups(options) };

  return {
    type: 'input',
    block_id: INTENT_BLOCK,
    label: { type: 'plain_text', text: 'What was the customer asking for?' },
    element: {
      type: 'static_select',
      action_id: INTENT_ACTION,
      placeholder: { type: 'plain_text', text: 'Pick an intent' },
      ...choices,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

function groups(options: types.PlainTextOption[]) {
  const result = [];
  for (let start = 0; start < options.length; start += OPTIONS_PER_GROUP) {
    const end = Math.min(start + OPTIONS_PER_GROUP, options.length);
    result.push({
      label: { type: 'plain_text' as const, text: `Intents ${start + 1}-${end}` },
      options: options.slice(start, end),
    });
  }
  return result;
}

function option(intent: string): types.PlainTextOption {
  return { text: { type: 'plain_text', text: intent.slice(0, 75) }, value: intent };
}

function entityBlock(type: string, initial: string[]): types.KnownBlock {
  return {
    type: 'input',
    block_id: `${ENTITY_BLOCK_PREFIX}${type}`,
    optional: true,
    label: { type: 'plain_text', text: type },
    element: {
      type: 'plain_text_input',
      action_id: ENTITY_ACTION,
      multiline: true,
      ...(initial.length > 0 ? { initial_value: initial.join('\n') } : {}),
    },
  };
}

function predictedValues(ref: FeedbackRef, type: string): string[] {
  const text = ref.t ?? '';
  return (ref.e ?? [])
    .filter(([entityType]) => entityType === type)
    .map(([, start, end]) => text.slice(start, end));
}

/** Reads a submitted fix modal: the chosen intent and the entities found in the text. */
export function readFixSubmission(
  values: ViewStateValues,
  meta: FixMeta,
  intents: readonly string[],
): FixResult {
  const intent = values[INTENT_BLOCK]?.[INTENT_ACTION]?.selected_option?.value ?? undefined;
  if (!intent || !intents.includes(intent)) {
    return { ok: false, errors: { [INTENT_BLOCK]: 'Pick one of the intents in the list.' } };
  }

  // Without the text no entity boxes were shown: the correction says nothing about entities.
  if (meta.ref.t === undefined) return { ok: true, intent };

  const located = locateMentions(meta.ref.t, typedMentions(values));
  return located.ok ? { ok: true, intent, entities: located.entities } : located;
}

interface TypedMention {
  type: string;
  value: string;
  blockId: string;
}

function typedMentions(values: ViewStateValues): TypedMention[] {
  const mentions: TypedMention[] = [];
  for (const [blockId, actions] of Object.entries(values)) {
    if (!blockId.startsWith(ENTITY_BLOCK_PREFIX)) continue;
    const type = blockId.slice(ENTITY_BLOCK_PREFIX.length);
    const lines = (actions[ENTITY_ACTION]?.value ?? '').split('\n');
    for (const line of lines) {
      const value = line.trim();
      if (value.length > 0) mentions.push({ type, value, blockId });
    }
  }
  return mentions;
}

/**
 * Finds each typed value in the text: an exact match first, then ignoring case, always the first
 * occurrence that does not overlap one already taken. Offsets are UTF-16 indices, end-exclusive.
 */
export function locateMentions(
  text: string,
  mentions: TypedMention[],
):
  | { ok: true; entities: { type: string; start: number; end: number }[] }
  | { ok: false; errors: Record<string, string> } {
  const taken: { type: string; start: number; end: number }[] = [];
  const errors: Record<string, string> = {};

  for (const mention of mentions) {
    const start = firstFree(text, mention.value, taken);
    if (start < 0) {
      errors[mention.blockId] ??= notFound(text, mention.value);
      continue;
    }
    taken.push({ type: mention.type, start, end: start + mention.value.length });
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, entities: taken.sort((a, b) => a.start - b.start) };
}

function firstFree(text: string, value: string, taken: { start: number; end: number }[]): number {
  for (const flags of ['g', 'gi']) {
    const pattern = new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags);
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (match[0].length === value.length && !taken.some((t) => start < t.end && t.start < end)) {
        return start;
      }
    }
  }
  return -1;
}

function notFound(text: string, value: string): string {
  const present = text.toLowerCase().includes(value.toLowerCase());
  return present
    ? `"${value}" overlaps another detail, or is listed more often than it appears.`
    : `"${value}" is not in the message. Copy the words exactly as they appear.`;
}
