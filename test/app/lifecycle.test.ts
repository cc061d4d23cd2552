import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NluEngine } from '../../src/nlu/types.js';
import { openStore } from '../../src/store/store.js';
import { createFakeNlu, silentLogger } from '../conversation/doubles.js';
import { createServerDatabase, SERVER_URL } from '../conversation/databases.js';
import { APP_ENTITY_TYPES, startTestApp, type TestApp } from './harness.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** Short store timeouts, so an outage is noticed in milliseconds rather than seconds. */
const FAST_GATEWAY = {
  gateway: { readTimeoutMs: 300, queue: { initialDelayMs: 50, maxDelayMs: 200 } },
};

function slow(inner: NluEngine, ms: number): NluEngine {
  return {
    ...inner,
    predict: async (text) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return inner.predict(text);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('stop', () => {
  it('finishes messages in flight and their writes, then refuses connections', async () => {
    // A server database when there is one (faster to open than PGlite), else PGlite.
    const server = SERVER_URL ? await createServerDatabase('stop') : undefined;
    const nlu = createFakeNlu('test-v1', APP_ENTITY_TYPES);
    const env: Record<string, string> = server ? { DATABASE_URL: server.url } : {};
    const t = await startTestApp(env, { nlu: slow(nlu, 300) });
    const dataDir = t.app.parts.store!.location;

    const inFlight = t.post('/api/messages', { text: 'where is order A1234' });
    await expect.poll(() => nlu.calls.length).toBe(1);
    await t.app.stop();

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.reply.text).toBe('Order A1234 is on its way.');
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();

    // The turn was stored before the store closed.
    const reopened = server
      ? await openStore({ databaseUrl: server.url, dataDir: '.', logger: silentLogger })
      : await openStore({ dataDir, logger: silentLogger });
    const counts = await reopened.db.execute('select count(*)::int as n from predictions');
    await reopened.close();
    const rows = Array.isArray(counts) ? counts : (counts as { rows: unknown[] }).rows;
    expect(rows).toEqual([{ n: 1 }]);
    await t.close();
    await server?.drop();
  });
});

// Database faults on a real server (case C24): registered when PARLEY_TEST_DATABASE_URL is set.
describe.each(SERVER_URL ? ['postgres'] : [])('database faults on a real %s server', () => {
  const admin = () => postgres(SERVER_URL!, { max: 1, onnotice: () => undefined });
  let sql: ReturnType<typeof admin>;
  let database: string;
  let proxy: TcpProxy;
  let t: TestApp | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    sql = admin();
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await proxy?.close();
    if (database) await sql.unsafe(`drop database if exists "${database}" with (force)`);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await sql.end();
  });

  async function freshDatabase(): Promise<string> {
    database = `parley_conv_fault_${process.pid}_${Date.now().toString(36)}`;
    await sql.unsafe(`create database "${database}"`);
    const server = new URL(SERVER_URL!);
    proxy = await startTcpProxy(Number(server.port || 5432), server.hostname);
    server.port = String(proxy.port);
    server.pathname = `/${database}`;
    return server.toString();
  }

  it('answers through terminated connections and an outage, then stores it all', async () => {
    t = await startTestApp({ DATABASE_URL: await freshDatabase() }, FAST_GATEWAY);
    const inDb = postgres(SERVER_URL!.replace(/\/[^/]*$/, `/${database}`), { max: 1 });
    const statuses: number[] = [];
    const replies: string[] = [];

    // Traffic at about 5 messages a second for the whole test.
    let running = true;
    const traffic = (async () => {
      for (let i = 0; running; i += 1) {
        const { status, body } = await t!.post('/api/messages', {
          text: `where is order A${1000 + i}`,
        });
        statuses.push(status);
        if (body.messageId) replies.push(body.messageId);
        await sleep(200);
      }
    })();

    // Each phase waits for replies rather than for a fixed time, so a slow machine only slows it.
    const moreReplies = (n: number) => {
      const target = replies.length + n;
      return expect
        .poll(() => replies.length, { timeout: 20_000, interval: 50 })
        .toBeGreaterThanOrEqual(target);
    };

    // 1: every backend of the database is terminated once; replies keep coming.
    await moreReplies(3);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${database}`;
    await moreReplies(3);

    // 2: the database goes away; replies go on, feedback is queued and the user is told.
    await proxy.cut();
    await moreReplies(3);
    const during = replies[replies.length - 1];
    const feedback = await t.post('/api/feedback', { messageId: during, kind: 'down' });
    expect(feedback.status).toBe(202);
    expect(feedback.body).toMatchObject({ saved: false, message: expect.stringMatching(/saved/) });
    expect((await t.get('/readyz')).status).toBe(503);
    await moreReplies(2);

    // 3: it comes back; the backlog is stored without a restart.
    await proxy.restore();
    await moreReplies(3);
    running = false;
    await traffic;
    expect(await t.app.parts.gateway.queue.flush(10_000)).toBe(true);

    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(replies.length).toBeGreaterThanOrEqual(14);
    const [stored] = await inDb`select count(*)::int as n from predictions`;
    expect(stored.n).toBe(replies.length);
    const rows = await inDb`select kind from feedback where message_id = ${during}`;
    expect(rows.map((r) => r.kind)).toEqual(['down']);
    await expect.poll(async () => (await t!.get('/readyz')).status, { timeout: 10_000 }).toBe(200);
    expect(unhandled).toEqual([]);
    await inDb.end();
  });

  it('starts while the database is down and stores once it is up', async () => {
    const url = await freshDatabase();
    await proxy.cut();
    t = await startTestApp({ DATABASE_URL: url }, FAST_GATEWAY);

    const answer = await t.post('/api/messages', { text: 'hi' });
    expect(answer.body.reply.kind).toBe('answer');
    expect((await t.get('/readyz')).body).toMatchObject({ ready: false, store: 'down' });

    await proxy.restore();
    await expect.poll(async () => (await t!.get('/readyz')).status, { timeout: 20_000 }).toBe(200);
    expect(await t.app.parts.gateway.queue.flush(10_000)).toBe(true);
    const inDb = postgres(SERVER_URL!.replace(/\/[^/]*$/, `/${database}`), { max: 1 });
    const [stored] =
      await inDb`select count(*)::int as n from messages where id = ${answer.body.messageId}`;
    expect(stored.n).toBe(1);
    await inDb.end();
    expect(unhandled).toEqual([]);
  });
});
