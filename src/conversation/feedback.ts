import { createHash } from 'node:crypto';
import { isParleyError, ParleyError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { NluEngine } from '../nlu/types.js';
import type { StoreGateway } from './gateway.js';
import type { FeedbackRecord, StoredMessage } from './store-port.js';
import type { FeedbackHandler, FeedbackInput, FeedbackKind } from './types.js';

/**
 * Thumbs up, thumbs down and corrections on an incoming message. One row per (message, user);
 * the id is derived from that pair, so a changed mind updates the same row whoever writes it.
 * Corrections are checked against the stored text (the redacted text has the same length as the
 * original, so offsets the user saw are offsets into it).
 *
 * With the database away the feedback is queued, not lost: `record` answers `saved: false` and
 * the write queue stores it when the database returns. Only when the message cannot be checked
 * at all (not remembered here and the database away) or the queue is full does it throw
 * STORE_UNAVAILABLE.
 */

export interface FeedbackServiceOptions {
  store: StoreGateway;
  nlu: () => NluEngine;
  logger: Logger;
  /** How long `record` waits for the write before answering `saved: false`, ms. */
  saveWaitMs?: number;
}

const KINDS: readonly FeedbackKind[] = ['up', 'down', 'correction'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_USER_ID = 200;

export function createFeedbackService(options: FeedbackServiceOptions): FeedbackHandler {
  const { store: gateway } = options;
  const log = options.logger;
  const saveWaitMs = options.saveWaitMs ?? 2_000;

  async function record(input: FeedbackInput): Promise<{ feedbackId: string; saved: boolean }> {
    checkShape(input);
    const message = await findMessage(input.messageId);
    const row: FeedbackRecord = {
      id: feedbackId(input.messageId, input.userId),
      messageId: input.messageId,
      userId: input.userId,
      kind: input.kind,
      ...(input.kind === 'correction' ? checkCorrection(input, message, options.nlu()) : {}),
    };

    const queued = gateway.saveFeedback(row);
    if (!queued.accepted) {
      throw new ParleyError(
        'STORE_UNAVAILABLE',
        'Feedback could not be saved: too many writes are waiting for the database. ' +
          'Please try again later.',
      );
    }
    const saved = await Promise.race([queued.done, delay(saveWaitMs, false)]);
    log.info(
      { feedbackId: row.id, messageId: row.messageId, kind: row.kind, saved },
      'feedback recorded',
    );
    return { feedbackId: row.id, saved };
  }

  async function findMessage(messageId: string): Promise<StoredMessage> {
    const lookup = UUID.test(messageId) ? await gateway.findMessage(messageId) : undefined;
    if (lookup?.found) {
      if (lookup.message.deleted) {
        throw new ParleyError(
          'CONFLICT',
          `Message ${messageId} was deleted; it takes no feedback.`,
        );
      }
      return lookup.message;
    }
    if (lookup && !lookup.storeReachable) {
      throw new ParleyError(
        'STORE_UNAVAILABLE',
        'Feedback could not be saved: the database is unreachable. Please try again in a minute.',
      );
    }
    throw new ParleyError(
      'NOT_FOUND',
      `Unknown messageId ${JSON.stringify(messageId)}: ` +
        'feedback refers to the messageId a reply came with.',
    );
  }

  return {
    record,
    intents: () => intentNames(options.nlu()),
    entityTypes: () => options.nlu().entityTypes,
  };
}

function checkShape(input: FeedbackInput): void {
  if (!KINDS.includes(input.kind)) {
    throw new ParleyError(
      'BAD_REQUEST',
      `kind must be one of ${KINDS.join(', ')}; got ${JSON.stringify(input.kind)}.`,
    );
  }
  if (
    typeof input.userId !== 'string' ||
    input.userId.length === 0 ||
    input.userId.length > MAX_USER_ID
  ) {
    throw new ParleyError(
      'BAD_REQUEST',
      `userId must be a non-empty string of at most ${MAX_USER_ID} characters.`,
    );
  }
  if (input.kind !== 'correction' && (input.intent !== undefined || input.entities !== undefined)) {
    throw new ParleyError(
      'BAD_REQUEST',
      `intent and entities belong to a correction; kind "${input.kind}" takes neither.`,
    );
  }
}

/** Validates a correction against the stored text and the model's names. */
function checkCorrection(
  input: FeedbackInput,
  message: StoredMessage,
  engine: NluEngine,
): Pick<FeedbackRecord, 'intent' | 'entities'> {
  const intents = intentNames(engine);
  if (typeof input.intent !== 'string' || !intents.includes(input.intent)) {
    throw new ParleyError(
      'BAD_REQUEST',
      `A correction needs intent, one of: ${intents.join(', ')}; ` +
        `got ${JSON.stringify(input.intent)}.`,
    );
  }
  const entities = input.entities ?? [];
  if (!Array.isArray(entities)) throw new ParleyError('BAD_REQUEST', 'entities must be a list.');

  const text = message.text;
  const spans = entities.map((entity, index) => checkSpan(entity, index, text, engine.entityTypes));
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i += 1) {
    if (sorted[i].start < sorted[i - 1].end) {
      throw new ParleyError(
        'BAD_REQUEST',
        `entities overlap at [${sorted[i].start}, ${sorted[i - 1].end}); ` +
          'each character belongs to at most one entity.',
      );
    }
  }
  return { intent: input.intent, entities: spans };
}

function checkSpan(
  entity: { type: string; start: number; end: number },
  index: number,
  text: string,
  types: readonly string[],
): NonNullable<FeedbackRecord['entities']>[number] {
  const where = `entities[${index}]`;
  if (typeof entity !== 'object' || entity === null) {
    throw new ParleyError('BAD_REQUEST', `${where} must be {type, start, end}.`);
  }
  if (!types.includes(entity.type)) {
    throw new ParleyError(
      'BAD_REQUEST',
      `${where}.type ${JSON.stringify(entity.type)} is not an entity type of the model ` +
        `(${types.join(', ')}).`,
    );
  }
  const { start, end } = entity;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    end <= start ||
    end > text.length
  ) {
    throw new ParleyError(
      'BAD_REQUEST',
      `${where}: start and end must be integers with 0 <= start < end <= ${text.length} ` +
        `(the message length in UTF-16 code units); got [${start}, ${end}).`,
    );
  }
  if (splitsSurrogatePair(text, start) || splitsSurrogatePair(text, end)) {
    throw new ParleyError('BAD_REQUEST', `${where}: [${start}, ${end}) cuts a character in half.`);
  }
  return { type: entity.type, start, end, value: text.slice(start, end) };
}

/** True when `offset` falls between the two halves of a surrogate pair. */
function splitsSurrogatePair(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return false;
  const before = text.charCodeAt(offset - 1);
  const after = text.charCodeAt(offset);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

function intentNames(engine: NluEngine): string[] {
  const names = [...engine.intents];
  if (!names.includes(engine.outOfScopeIntent)) names.push(engine.outOfScopeIntent);
  return names;
}

/** A stable uuid for (message, user): sha256 of the pair, with RFC 9562 version 8 bits set. */
/**
 * What the person who gave feedback is told when it was not recorded: chosen by the service's
 * error codes, not its wording (shared by the platform adapters).
 */
export function feedbackFailureText(err: unknown): string {
  if (isParleyError(err, 'NOT_FOUND') || isParleyError(err, 'CONFLICT')) {
    return 'Parley no longer has that message (it may have been deleted), so the feedback was not recorded.';
  }
  if (isParleyError(err, 'BAD_REQUEST')) return `That feedback was not recorded: ${err.message}`;
  if (isParleyError(err, 'STORE_UNAVAILABLE')) return err.message;
  return 'Parley could not record your feedback just now. Please try again in a moment.';
}

export function feedbackId(messageId: string, userId: string): string {
  const hex = createHash('sha256').update(`${messageId}\u0000${userId}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const parts = [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ];
  return parts.join('-');
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}
