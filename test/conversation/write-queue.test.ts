import { afterEach, describe, expect, it } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import {
  createWriteQueue,
  isTransientStoreError,
  type WriteQueue,
} from '../../src/conversation/write-queue.js';
import { silentLogger } from './doubles.js';

const queues: WriteQueue[] = [];
function queue(options: Parameters<typeof createWriteQueue>[0] = { logger: silentLogger }) {
  const q = createWriteQueue({ initialDelayMs: 5, maxDelayMs: 20, ...options });
  queues.push(q);
  return q;
}
afterEach(() => queues.splice(0).forEach((q) => q.close()));

const unreachable = () => new ParleyError('STORE_UNAVAILABLE', 'down');

describe('createWriteQueue', () => {
  it('runs writes one at a time in the order they were queued', async () => {
    const q = queue();
    const seen: number[] = [];
    const results = [1, 2, 3].map((n) =>
      q.enqueue(`w${n}`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 4 - n));
        seen.push(n);
      }),
    );
    expect(await Promise.all(results.map((r) => r.done))).toEqual([true, true, true]);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('keeps retrying while the database is unreachable, then flushes in order', async () => {
    const q = queue();
    let down = true;
    const seen: string[] = [];
    const write = (label: string) => async () => {
      if (down) throw unreachable();
      seen.push(label);
    };
    const first = q.enqueue('a', write('a'));
    const second = q.enqueue('b', write('b'));

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(q.healthy).toBe(false);
    expect(q.pending).toBe(2);

    down = false;
    expect(await q.flush(1_000)).toBe(true);
    expect(await Promise.all([first.done, second.done])).toEqual([true, true]);
    expect(seen).toEqual(['a', 'b']);
    expect(q.healthy).toBe(true);
  });

  it('drops a write that keeps failing for another reason, and goes on', async () => {
    const q = queue({ logger: silentLogger, maxAttemptsOnOtherErrors: 3 });
    let attempts = 0;
    const bad = q.enqueue('bad', async () => {
      attempts += 1;
      throw new Error('constraint violation');
    });
    const good = q.enqueue('good', async () => undefined);

    expect(await bad.done).toBe(false);
    expect(attempts).toBe(3);
    expect(await good.done).toBe(true);
  });

  it('refuses writes beyond maxPending', () => {
    const q = queue({ logger: silentLogger, maxPending: 1 });
    expect(q.enqueue('a', () => new Promise(() => undefined)).accepted).toBe(true);
    const refused = q.enqueue('b', async () => undefined);
    expect(refused.accepted).toBe(false);
  });

  it('settles queued writes as not stored when closed', async () => {
    const q = queue();
    const pending = q.enqueue('a', async () => {
      throw unreachable();
    });
    q.close();
    expect(await pending.done).toBe(false);
  });
});

describe('isTransientStoreError', () => {
  it.each([
    ['terminated backend (SQLSTATE 57P01)', Object.assign(new Error('x'), { code: '57P01' })],
    ['connection exception class 08', Object.assign(new Error('x'), { code: '08006' })],
    [
      'refused socket, wrapped',
      new Error('query failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
    ],
    ['postgres.js closed connection', Object.assign(new Error('x'), { code: 'CONNECTION_CLOSED' })],
  ])('is true for %s', (_label, err) => {
    expect(isTransientStoreError(err)).toBe(true);
  });

  it.each([
    ['unique violation', Object.assign(new Error('x'), { code: '23505' })],
    ['plain error', new Error('bug')],
  ])('is false for %s', (_label, err) => {
    expect(isTransientStoreError(err)).toBe(false);
  });
});
