import type { PredictedEntity, Prediction } from '../nlu/types.js';
import { placeholders, type Domain, type RequiredEntity } from './domain.js';
import type { ReplyKind } from './types.js';

/**
 * The dialogue policy: a pure function from (domain, prediction, conversation state) to a reply
 * and the next state. No I/O, so every rule is tested on its own and the pipeline can run it
 * while the database is away.
 */

/** What a conversation remembers between turns. */
export interface DialogueState {
  /** Filled slots: entity type to the value the user wrote, remembered within the conversation. */
  slots: Record<string, string>;
  /** Fallbacks in a row; any understood turn resets it. */
  fallbackCount: number;
  handedOff: boolean;
  /** A question Parley asked and is waiting on: the intent it is for and the entity asked. */
  pending?: { intent: string; entity: string };
  /** The last intent answered, so a follow-up such as "and B5678?" continues it. */
  lastIntent?: string;
}

export const EMPTY_STATE: DialogueState = { slots: {}, fallbackCount: 0, handedOff: false };

export interface PolicyOptions {
  outOfScopeIntent: string;
  /** Consecutive fallbacks that trigger a hand-off (>= 1). */
  handoffAfterFallbacks: number;
}

export type HandoffReason = 'request' | 'fallbacks';

export interface PolicyDecision {
  reply: { text: string; kind: ReplyKind };
  state: DialogueState;
  /** The intent the turn was resolved to (after follow-ups); the out-of-scope intent otherwise. */
  intent: string;
  handoff?: HandoffReason;
}

/** Decides the reply for one understood message. */
export function decide(
  domain: Domain,
  prediction: Prediction,
  state: DialogueState,
  options: PolicyOptions,
): PolicyDecision {
  const slots = fillSlots(state.slots, prediction.entities);
  const intent = resolveIntent(domain, prediction, state, options.outOfScopeIntent);

  if (intent === undefined) return fallback(domain, { ...state, slots }, options);
  if (domain.handoff.intents.includes(intent)) {
    return handoff(domain, { ...state, slots }, intent, 'request');
  }
  return answer(domain, { ...state, slots }, intent);
}

/** The short prompt for a message that only mentions the bot. State is unchanged. */
export function promptReply(domain: Domain, state: DialogueState): PolicyDecision {
  return { reply: { text: domain.prompt, kind: 'prompt' }, state, intent: '' };
}

function fillSlots(
  slots: Record<string, string>,
  entities: readonly PredictedEntity[],
): Record<string, string> {
  const next = { ...slots };
  // The canonical value where a synonym maps the mention, else the text as written.
  for (const entity of entities) next[entity.type] = entity.normalized ?? entity.value;
  return next;
}

/**
 * The intent this turn is about, or undefined for a fallback. Two follow-up rules: a message
 * that answers the pending question (it holds the entity that was asked for) continues the asked
 * intent; an out-of-scope message that brings an entity the last answered intent uses ("and
 * B5678?" after an order-status answer) continues that intent.
 */
function resolveIntent(
  domain: Domain,
  prediction: Prediction,
  state: DialogueState,
  outOfScopeIntent: string,
): string | undefined {
  const predicted = prediction.intent.name;
  const types = new Set(prediction.entities.map((entity) => entity.type));
  const inScope = predicted !== outOfScopeIntent;

  // The answer to a question Parley asked continues what it asked for, whatever the model makes
  // of the bare answer ("it is A1234" reads like an order-status question on its own). Only a
  // request for a person interrupts.
  const pending = state.pending;
  const answersPending = pending && accepted(domain, pending).some((type) => types.has(type));
  if (pending && answersPending && !domain.handoff.intents.includes(predicted)) {
    return pending.intent;
  }
  if (inScope) return predicted;

  const last = state.lastIntent;
  if (last && entitiesOf(domain, last).some((type) => types.has(type))) return last;
  return undefined;
}

/** Entity types an intent's reply uses: required ones (with alternatives) and placeholders. */
function entitiesOf(domain: Domain, intent: string): string[] {
  const spec = domain.intents[intent];
  if (!spec) return [];
  const required = spec.required.flatMap((r) => [r.entity, ...r.also]);
  return [...required, ...placeholders(spec.text ?? '')];
}

/** Entity types that answer a pending question: the one asked for and its alternatives. */
function accepted(domain: Domain, pending: { intent: string; entity: string }): string[] {
  const required = domain.intents[pending.intent]?.required.find(
    (r) => r.entity === pending.entity,
  );
  return [pending.entity, ...(required?.also ?? [])];
}

/** A required entity's value: its own slot, else the first alternative that is filled. */
function requiredValue(
  required: RequiredEntity,
  slots: Record<string, string>,
): string | undefined {
  return [required.entity, ...required.also]
    .map((type) => slots[type])
    .find((v) => v !== undefined);
}

function answer(domain: Domain, state: DialogueState, intent: string): PolicyDecision {
  const spec = domain.intents[intent];
  const missing = spec?.required.find((required) => !requiredValue(required, state.slots));
  const settled = { ...state, fallbackCount: 0 };

  if (missing) {
    const pending = { intent, entity: missing.entity };
    return { reply: { text: missing.ask, kind: 'ask' }, state: { ...settled, pending }, intent };
  }

  // A placeholder of a required entity shows whichever alternative filled it.
  const view = { ...state.slots };
  for (const required of spec?.required ?? []) {
    view[required.entity] = requiredValue(required, state.slots) as string;
  }
  const text = spec?.text ? render(spec.text, view) : domain.defaultReply;
  const next = { ...settled, pending: undefined, lastIntent: intent };
  return { reply: { text, kind: 'answer' }, state: next, intent };
}

function fallback(domain: Domain, state: DialogueState, options: PolicyOptions): PolicyDecision {
  const fallbackCount = state.fallbackCount + 1;
  if (fallbackCount >= options.handoffAfterFallbacks) {
    return handoff(domain, state, options.outOfScopeIntent, 'fallbacks');
  }
  const next = { ...state, fallbackCount };
  return {
    reply: { text: domain.fallback, kind: 'fallback' },
    state: next,
    intent: options.outOfScopeIntent,
  };
}

function handoff(
  domain: Domain,
  state: DialogueState,
  intent: string,
  reason: HandoffReason,
): PolicyDecision {
  const next = { ...state, fallbackCount: 0, handedOff: true, pending: undefined };
  return {
    reply: { text: domain.handoff.text, kind: 'handoff' },
    state: next,
    intent,
    handoff: reason,
  };
}

/**
 * Fills `{entity}` placeholders from the slots. A placeholder with no value (an optional entity
 * the user never gave) is dropped together with the space before it, so the sentence still reads.
 */
export function render(template: string, slots: Record<string, string>): string {
  return template
    .replace(/ ?\{([^{}\s]+)\}/g, (whole, name: string) => {
      const value = slots[name];
      if (value === undefined) return '';
      return whole.startsWith(' ') ? ` ${value}` : value;
    })
    .trim();
}
