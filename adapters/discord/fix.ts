import { randomBytes } from 'node:crypto';
import { Lru } from '../../src/conversation/lru.js';

/**
 * State behind the "fix" flow. Discord carries only a 100-character custom_id on a component, too
 * little for the customer's text, so this process remembers:
 * - what it answered recently (stored message id -> text the model read, predicted intent and
 *   entities), to show the text and pre-fill the picker;
 * - each open fix (a short session id in the custom_ids -> the person's choices so far).
 * Both are bounded. A fix is only ever continued by the shard that opened it (Discord sends a
 * guild's interactions to that guild's shard), so nothing here needs sharing between processes.
 */

export interface Span {
  type: string;
  /** UTF-16 offsets into the text, end-exclusive. */
  start: number;
  end: number;
}

export interface Answered {
  text: string;
  intent?: string;
  entities: Span[];
}

export interface AnsweredMemory {
  remember(messageId: string, answered: Answered): void;
  recall(messageId: string): Answered | undefined;
}

export function createAnsweredMemory(size = 5_000): AnsweredMemory {
  const items = new Lru<string, Answered>(size);
  return {
    remember: (messageId, answered) => items.set(messageId, answered),
    recall: (messageId) => items.get(messageId),
  };
}

export interface FixSession {
  id: string;
  /** Stored id of the customer's message (what feedback refers to). */
  messageId: string;
  /** Only this person continues the fix. */
  userId: string;
  text?: string;
  intent?: string;
  entities: Span[];
  /** Entity types the details modal asks for. */
  types: string[];
  createdAt: number;
}

export interface FixSessions {
  open(init: Omit<FixSession, 'id' | 'createdAt'>): FixSession;
  /** The session, while it is younger than the TTL and belongs to `userId`. */
  get(id: string, userId: string): FixSession | undefined;
}

/** Interaction tokens live 15 minutes; a fix left longer than that cannot be answered anyway. */
const FIX_TTL_MS = 15 * 60 * 1000;

export function createFixSessions(
  options: { ttlMs?: number; max?: number; now?: () => number } = {},
): FixSessions {
  const ttlMs = options.ttlMs ?? FIX_TTL_MS;
  const now = options.now ?? Date.now;
  const sessions = new Lru<string, FixSession>(options.max ?? 1_000);

  return {
    open(init) {
      const session: FixSession = {
        ...init,
        id: randomBytes(6).toString('base64url'),
        createdAt: now(),
      };
      sessions.set(session.id, session);
      return session;
    },
    get(id, userId) {
      const session = sessions.get(id);
      if (!session || session.userId !== userId) return undefined;
      return now() - session.createdAt <= ttlMs ? session : undefined;
    },
  };
}

/** A value a person typed for an entity type. */
export interface TypedValue {
  type: string;
  value: string;
}

export type Located = { ok: true; entities: Span[] } | { ok: false; problems: string[] };

/**
 * Finds each typed value in the text: the first occurrence that no earlier value took, matched
 * exactly first and then ignoring case. Offsets are UTF-16 indices into `text`, end-exclusive.
 */
export function locateValues(text: string, values: readonly TypedValue[]): Located {
  const taken: Span[] = [];
  const problems: string[] = [];

  for (const { type, value } of values) {
    const start = firstFree(text, value, taken);
    if (start === undefined) {
      problems.push(notFound(text, type, value));
      continue;
    }
    taken.push({ type, start, end: start + value.length });
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, entities: taken.sort((a, b) => a.start - b.start) };
}

function firstFree(text: string, value: string, taken: readonly Span[]): number | undefined {
  const free = (start: number) => {
    const end = start + value.length;
    return !taken.some((span) => start < span.end && span.start < end);
  };
  const passes = [
    { haystack: text, needle: value },
    { haystack: text.toLowerCase(), needle: value.toLowerCase() },
  ];
  for (const { haystack, needle } of passes) {
    // toLowerCase can change the length of a few characters; offsets are only kept when it did not.
    if (needle.length !== value.length || haystack.length !== text.length) continue;
    for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
      if (free(at)) return at;
    }
  }
  return undefined;
}

function notFound(text: string, type: string, value: string): string {
  const present = text.toLowerCase().includes(value.toLowerCase());
  return present
    ? `${type} "${value}" overlaps another detail, or is listed more often than it appears.`
    : `${type} "${value}" is not in the message; copy it exactly as it appears.`;
}

/** Values typed into the details modal: one per line, blank lines dropped. */
export function typedValues(type: string, box: string): TypedValue[] {
  return box
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((value) => ({ type, value }));
}
