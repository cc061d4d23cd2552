/**
 * One error type for the whole product, with stable codes that logs, tests and the API can match
 * on. Wrap a lower-level failure once, keeping it as `cause`.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'DATA_INVALID'
  | 'DATA_FORMAT_UNKNOWN'
  | 'MODEL_INVALID'
  | 'MODEL_NOT_FOUND'
  | 'DEVICE_UNAVAILABLE'
  | 'GRAPH_SHAPE'
  | 'TRAINING_CANCELLED'
  | 'TRAINING_FAILED'
  | 'STORE_UNAVAILABLE'
  | 'STORE_LOCKED'
  | 'STORE_QUERY_FAILED'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'FORBIDDEN'
  | 'CONFLICT';

export class ParleyError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ParleyError';
    this.code = code;
  }
}

export function isParleyError(err: unknown, code?: ErrorCode): err is ParleyError {
  return err instanceof ParleyError && (code === undefined || err.code === code);
}
