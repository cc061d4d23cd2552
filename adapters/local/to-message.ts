import { randomUUID } from 'node:crypto';
import type { FeedbackInput, FeedbackKind, IncomingMessage } from '../../src/conversation/types.js';
import { ApiError } from './reply.js';

/**
 * Local API bodies to Parley's platform-neutral shapes. Everything the HTTP client sent is checked
 * here, once; after `toIncomingMessage()` nothing knows the message came from the web page, the
 * terminal chat or a script.
 */

/** Longest `text` accepted, in UTF-16 code units (the model reads only a prefix anyway). */
export const MAX_TEXT_LENGTH = 4_000;
/** Longest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Who a message or feedback is from when the client does not say. */
export const DEFAULT_USER_ID = 'local-user';
/** Channel name the local adapter uses for every conversation. */
export const LOCAL_CHANNEL = 'web';

const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;
const MESSAGE_FIELDS = ['conversationId', 'userId', 'text'];
const FEEDBACK_FIELDS = ['messageId', 'userId', 'kind', 'intent', 'entities'];
const KINDS: readonly FeedbackKind[] = ['up', 'down', 'correction'];

export interface MessageBody {
  conversationId?: string;
  userId: string;
  text: string;
}

export function parseMessageBody(body: unknown): MessageBody {
  const object = asObject(body, MESSAGE_FIELDS);
  if (typeof object.text !== 'string') {
    throw new ApiError(400, 'BAD_REQUEST', 'text is required: the message to send, as a string.');
  }
  if (object.text.length > MAX_TEXT_LENGTH) {
    throw new ApiError(
      413,
      'TOO_LARGE',
      `text is ${object.text.length} characters long; the limit is ${MAX_TEXT_LENGTH}.`,
    );
  }
  return {
    text: object.text,
    conversationId: optionalId(object.conversationId, 'conversationId'),
    userId: optionalId(object.userId, 'userId') ?? DEFAULT_USER_ID,
  };
}

/**
 * A local message. A new conversation gets the message's own id as its thread, as a top-level
 * Slack message does; the API hands that id back as `conversationId`.
 */
export function toIncomingMessage(body: MessageBody, receivedAt = new Date()): IncomingMessage {
  return {
    platform: 'local',
    workspaceId: 'local',
    channelId: LOCAL_CHANNEL,
    platformMessageId: randomUUID(),
    threadId: body.conversationId,
    userId: body.userId,
    text: body.text,
    isDirect: false,
    // Everything typed into the local chat is addressed to Parley, but there is no mention
    // syntax: a blank message is simply blank (case C06: ignored, no reply).
    mentionsBot: false,
    attachmentCount: 0,
    receivedAt,
  };
}

export function toFeedbackInput(body: unknown): FeedbackInput {
  const object = asObject(body, FEEDBACK_FIELDS);
  if (typeof object.messageId !== 'string' || object.messageId.length === 0) {
    throw new ApiError(
      400,
      'BAD_REQUEST',
      'messageId is required: the messageId a reply came with.',
    );
  }
  if (!KINDS.includes(object.kind as FeedbackKind)) {
    throw new ApiError(400, 'BAD_REQUEST', `kind is required: one of ${KINDS.join(', ')}.`);
  }
  if (object.intent !== undefined && typeof object.intent !== 'string') {
    throw new ApiError(400, 'BAD_REQUEST', 'intent must be a string.');
  }
  return {
    messageId: object.messageId,
    userId: optionalId(object.userId, 'userId') ?? DEFAULT_USER_ID,
    kind: object.kind as FeedbackKind,
    intent: object.intent as string | undefined,
    entities: object.entities === undefined ? undefined : entitiesOf(object.entities),
  };
}

function entitiesOf(value: unknown): FeedbackInput['entities'] {
  if (!Array.isArray(value)) {
    throw new ApiError(400, 'BAD_REQUEST', 'entities must be a list of {type, start, end}.');
  }
  return value.map((item, index) => {
    const entity = item as Record<string, unknown> | null;
    const ok =
      typeof entity === 'object' &&
      entity !== null &&
      typeof entity.type === 'string' &&
      typeof entity.start === 'number' &&
      typeof entity.end === 'number';
    if (!ok) {
      throw new ApiError(
        400,
        'BAD_REQUEST',
        `entities[${index}] must be {type: string, start: number, end: number}.`,
      );
    }
    return {
      type: entity.type as string,
      start: entity.start as number,
      end: entity.end as number,
    };
  });
}

function asObject(body: unknown, fields: string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'BAD_REQUEST', 'The request body must be a JSON object.');
  }
  const unknown = Object.keys(body).filter((key) => !fields.includes(key));
  if (unknown.length > 0) {
    throw new ApiError(
      400,
      'BAD_REQUEST',
      `Unknown field(s) ${unknown.join(', ')}; expected ${fields.join(', ')}.`,
    );
  }
  return body as Record<string, unknown>;
}

function optionalId(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new ApiError(
      400,
      'BAD_REQUEST',
      `${name} must be 1 to 128 letters, digits or . _ : @ - characters.`,
    );
  }
  return value;
}
