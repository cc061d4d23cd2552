import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversationStore } from '../../../src/conversation/store-binding.js';
import { messages, predictions } from '../../../src/store/schema.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { TEAM_ID } from './fake-slack.js';
import { startHarness, SUPPORT, type Harness } from './harness.js';
import { gate } from './doubles.js';

/**
 * Cases C13 and C15 once more with Parley's real store underneath: the Postgres server when
 * PARLEY_TEST_DATABASE_URL is set (CI), else embedded PGlite. Row counts are read with SQL.
 */
const SERVER_URL = process.env.PARLEY_TEST_DATABASE_URL;

let store: Store;
let cleanup: () => Promise<void>;
let h: Harness | undefined;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-slack-'));
  const database = `parley_slack_${process.pid}_${Date.now().toString(36)}`;
  const admin = SERVER_URL
    ? postgres(SERVER_URL, { max: 1, onnotice: () => undefined })
    : undefined;
  let databaseUrl: string | undefined;
  if (admin && SERVER_URL) {
    await admin.unsafe(`create database "${database}"`);
    const url = new URL(SERVER_URL);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }

  store = await openStore({ dataDir, databaseUrl, logger: pino({ level: 'silent' }) });
  cleanup = async () => {
    await store.close().catch(() => undefined);
    if (admin) {
      await admin.unsafe(`drop database if exists "${database}" with (force)`);
      await admin.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
}, 120_000);

afterAll(async () => {
  await h?.close();
  await cleanup?.();
});

async function incoming() {
  return store.db.select().from(messages).where(eq(messages.direction, 'in'));
}

describe(`the Slack adapter on the real store (${SERVER_URL ? 'Postgres server' : 'PGlite'})`, () => {
  it('stores one message row and one prediction row for three deliveries (C13), and forgets it (C15)', async () => {
    h = await startHarness({ conversationStore: createConversationStore(store) });
    const slowNlu = gate();
    h.nlu.beforePredict = () => slowNlu.wait();
    const ts = '1700000000.000100';
    const event = {
      type: 'message',
      channel: SUPPORT,
      channel_type: 'channel',
      user: 'U_A',
      team: TEAM_ID,
      text: 'where is order A1234',
      ts,
      event_ts: ts,
    };

    const deliveries = [await h.fake.deliverEvent(event, { eventId: 'Ev001' })];
    deliveries.push(await h.fake.deliverEvent(event, { eventId: 'Ev001', retryNum: 1 }));
    slowNlu.open();
    await h.settle();
    deliveries.push(await h.fake.deliverEvent(event, { eventId: 'Ev777' }));
    await h.settle();

    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
    const rows = await incoming();
    expect(rows.map((row) => [row.text, row.deleted])).toEqual([['where is order A1234', false]]);
    expect(await store.db.select().from(predictions)).toHaveLength(1);

    await h.fake.deliverEvent({
      type: 'message',
      subtype: 'message_deleted',
      hidden: true,
      channel: SUPPORT,
      channel_type: 'channel',
      deleted_ts: ts,
      previous_message: { type: 'message', user: 'U_A', text: 'where is order A1234', ts },
      ts: '1700000900.000001',
      event_ts: '1700000900.000001',
    });
    await h.settle();
    expect((await incoming()).map((row) => [row.text, row.deleted])).toEqual([['', true]]);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
  });
});
