import { describe, expect, it } from 'vitest';
import { toStoreError } from '../../src/store/errors.js';

/** A driver error wrapped the way drizzle wraps it: its message carries the parameters. */
function drizzleError(code: string, serverMessage: string): Error {
  const driver = Object.assign(new Error(serverMessage), { code });
  return new Error('Failed query: insert into "messages" values ($1)\nparams: jane@shop.test', {
    cause: driver,
  });
}

function everythingSaid(err: Error): string {
  const cause = err.cause as Error;
  return [err.message, cause.message, JSON.stringify(err), JSON.stringify(cause)].join('\n');
}

describe('toStoreError', () => {
  it('keeps query parameters out of the error and its cause', () => {
    const err = toStoreError(drizzleError('22P02', 'invalid input syntax'), 'messages.insert');
    expect(err.code).toBe('STORE_QUERY_FAILED');
    expect(err.message).toBe('messages.insert failed: invalid input syntax (22P02)');
    expect(everythingSaid(err)).not.toContain('jane@shop.test');
    expect((err.cause as { code?: string }).code).toBe('22P02');
  });

  it('reports a unique violation as a conflict without the values', () => {
    const err = toStoreError(drizzleError('23505', 'duplicate key value'), 'feedback.insert');
    expect(err.code).toBe('CONFLICT');
    expect(everythingSaid(err)).not.toContain('jane@shop.test');
  });

  it('reports a lost connection as unavailable without the values', () => {
    const err = toStoreError(drizzleError('ECONNRESET', 'read ECONNRESET'), 'messages.insert');
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(everythingSaid(err)).not.toContain('jane@shop.test');
  });
});
