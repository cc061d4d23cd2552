import { GatewayIntentBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordAdapter, PARLEY_INTENTS } from '../../../adapters/discord/index.js';
import { isParleyError } from '../../../src/core/errors.js';
import { INTENT, startFakeDiscord, type FakeDiscord } from './fake-discord.js';
import {
  captureLogger,
  createPorts,
  defaultGuilds,
  GUILD,
  harnessConfig,
  startHarness,
  SUPPORT,
  THREAD,
  USER_A,
  type Harness,
} from './harness.js';
import { createMemoryAdmin } from './memory-admin.js';

const WITHOUT_CONTENT = PARLEY_INTENTS.filter((i) => i !== GatewayIntentBits.MessageContent);

let h: Harness | undefined;
let fake: FakeDiscord | undefined;

afterEach(async () => {
  await h?.close();
  await fake?.close();
  h = undefined;
  fake = undefined;
});

describe('discord gateway connection', () => {
  it('identifies with guilds, guild messages, direct messages and message content', async () => {
    h = await startHarness();

    const [identify] = h.fake.identifies;
    const wanted =
      INTENT.Guilds | INTENT.GuildMessages | INTENT.DirectMessages | INTENT.MessageContent;
    expect(identify.intents).toBe(wanted);
    expect(h.adapter.client.channels.cache.has(THREAD)).toBe(true);
    expect(h.logs.filter((line) => line.level === 40)).toEqual([]);
  });

  it('answers heartbeats with the connection kept', async () => {
    h = await startHarness({ fake: { heartbeatIntervalMs: 50 } });
    const shard = h.adapter.client.ws.shards.first();

    await h.fake.until(() => (shard?.ping ?? -1) >= 0, 'a heartbeat acknowledged');
    h.fake.post(SUPPORT, USER_A, 'hi');
    await h.settled(2);
    expect(h.fake.botMessages(SUPPORT)).toHaveLength(1);
  });

  it('C19: without MessageContent one startup warning names it, then empty guild messages are counted, not answered', async () => {
    h = await startHarness({ adapter: { intents: WITHOUT_CONTENT } });
    const startWarnings = h.logs.filter((line) => line.level === 40);

    h.fake.post(SUPPORT, USER_A, 'where is order A1234');
    h.fake.post(SUPPORT, USER_A, 'refund order A1234');
    h.fake.directMessage(USER_A, 'hi');
    h.fake.post(SUPPORT, USER_A, `<@${h.fake.bot.id}> where is order A1234`);
    // Two empty guild messages, the DM and the mention, and Parley's two replies.
    await h.settled(6);
    await h.ports.flush();

    expect(startWarnings).toHaveLength(1);
    expect(startWarnings[0]).toMatchObject({ missingIntent: 'MessageContent' });
    expect(String(startWarnings[0].msg)).toContain('MessageContent');
    expect(h.logs.filter((line) => line.level === 40)).toHaveLength(1);

    expect(h.adapter.stats().emptyContent).toBe(2);
    expect(h.ports.nlu.calls).toEqual(['hi', 'where is order A1234']);
    expect(h.ports.handled).toEqual(['hi', 'where is order A1234']);
    expect(h.fake.botMessages(SUPPORT).map((m) => m.content)).toEqual([
      'Order A1234 is on its way.',
    ]);
    expect(h.fake.botMessages(h.fake.dmChannel(USER_A).id).map((m) => m.content)).toEqual([
      'Hi! How can I help with your order?',
    ]);
    expect((await h.ports.memory.counts()).messagesIn).toBe(2);
  });

  it('C19: empty guild messages although the intent is requested are counted and warned about once', async () => {
    h = await startHarness();
    h.fake.post(SUPPORT, USER_A, '');
    h.fake.post(SUPPORT, USER_A, '');
    await h.settled(2);

    expect(h.adapter.stats().emptyContent).toBe(2);
    const warnings = h.logs.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].msg)).toContain('Message Content Intent');
    expect(h.ports.handled).toEqual([]);
  });

  it('refuses to start, naming the intent, when the portal has Message Content off (4014)', async () => {
    const error = await startHarness({ fake: { messageContentEnabled: false } }).catch(
      (err: unknown) => err,
    );

    expect(isParleyError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('MessageContent');
    expect((error as Error).message).toContain('4014');
  });

  it('refuses to start with a token Discord does not accept', async () => {
    fake = await startFakeDiscord({ guilds: defaultGuilds() });
    const ports = createPorts();
    const adapter = createDiscordAdapter({
      config: harnessConfig(fake, { DISCORD_TOKEN: 'wrong-token' }),
      conversation: ports.conversation,
      feedback: ports.feedback,
      admin: createMemoryAdmin(),
      logger: captureLogger().logger,
    });

    const error = await adapter.start().catch((err: unknown) => err);
    ports.close();

    expect(isParleyError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('DISCORD_TOKEN');
    expect((error as Error).message).not.toContain('wrong-token');
  });

  it('runs the shards DISCORD_SHARDS names out of DISCORD_SHARD_COUNT, and answers in each', async () => {
    // (id >> 22) % 2: GUILD is on shard 0, the second guild on shard 1.
    const second = '1180000000004194304';
    const guilds = [
      ...defaultGuilds(),
      {
        id: second,
        name: 'Second shop',
        channels: [
          {
            id: '1180000000004194401',
            type: 0,
            guild_id: second,
            name: 'help',
            position: 0,
            permission_overwrites: [],
          },
        ],
        threads: [],
        roles: [],
      },
    ];
    h = await startHarness({
      // Both shards identify at once, as Discord allows large bots (no 5 s identify spacing).
      fake: { guilds, maxConcurrency: 2 },
      env: {
        DISCORD_SHARDS: '0,1',
        DISCORD_SHARD_COUNT: '2',
        DISCORD_GUILDS: `${GUILD},${second}`,
      },
    });

    expect(h.fake.identifies.map((i) => i.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    h.fake.post(SUPPORT, USER_A, 'hi');
    h.fake.post('1180000000004194401', USER_A, 'hi');
    await h.settled(4);
    expect(h.fake.botMessages(SUPPORT)).toHaveLength(1);
    expect(h.fake.botMessages('1180000000004194401')).toHaveLength(1);
  });
});
