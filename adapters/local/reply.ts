import type { HandleResult } from '../../src/conversation/types.js';
import { isParleyError, type ErrorCode } from '../../src/core/errors.js';

/**
 * Parley's answers as local API responses: a HandleResult becomes the JSON the web page, the
 * terminal chat and scripts read, and every failure becomes `{ error: { code, message } }` with
 * the HTTP status that fits it.
 */

export type ApiErrorCode =
  | 'BAD_REQUEST'
  | 'BAD_JSON'
  | 'TOO_LARGE'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'STORE_UNAVAILABLE'
  | 'NOT_READY'
  | 'INTERNAL';

/** An answer other than 2xx, with a message meant for the person who sent the request. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 413 | 415 | 500 | 503,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface MessageResponse {
  /** Id of the stored message; feedback refers to it. Null when nothing was answered. */
  messageId: string | null;
  /** Send it back to continue this conversation. */
  conversationId: string;
  reply: { text: string; kind: string } | null;
  prediction: {
    intent: { name: string; confidence: number };
    entities: { type: string; value: string; start: number; end: number; confidence: number }[];
    modelVersion: string;
  } | null;
  /** Why there is no reply (blank text, case C06). */
  ignored?: string;
}

export function toMessageResponse(result: HandleResult, conversationId: string): MessageResponse {
  if (result.status === 'ignored') {
    return {
      messageId: null,
      conversationId,
      reply: null,
      prediction: null,
      ignored: result.reason,
    };
  }
  if (result.status === 'duplicate') {
    throw new ApiError(409, 'CONFLICT', 'This message was already answered.');
  }
  const { prediction } = result;
  return {
    messageId: result.messageId,
    conversationId: result.reply.threadId ?? conversationId,
    reply: { text: result.reply.text, kind: result.reply.kind },
    prediction: prediction
      ? {
          intent: prediction.intent,
          entities: prediction.entities.map(({ type, value, start, end, confidence }) => ({
            type,
            value,
            start,
            end,
            confidence,
          })),
          modelVersion: prediction.modelVersion,
        }
      : null,
  };
}

/** What feedback that is queued (database away) tells the user. */
export const FEEDBACK_QUEUED_MESSAGE =
  "Thanks! We couldn't save your feedback just yet; it is kept and will be saved " +
  'automatically in a moment.';

const STATUS_OF: Partial<Record<ErrorCode, ApiError['status']>> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  STORE_UNAVAILABLE: 503,
};

/** Any thrown value as an ApiError; unknown failures become a 500 that leaks nothing. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isParleyError(err)) {
    const status = STATUS_OF[err.code];
    if (status) return new ApiError(status, err.code as ApiErrorCode, err.message);
  }
  return new ApiError(500, 'INTERNAL', 'Something went wrong on our side; the error is logged.');
}

export function errorBody(error: ApiError): { error: { code: ApiErrorCode; message: string } } {
  return { error: { code: error.code, message: error.message } };
}
