/**
 * The Discord adapter under test: the real discord.js client against the fake Discord, with the
 * real conversation and feedback services (src/conversation) over the conversation suite's
 * in-memory store and keyword NLU, and an in-memory admin handler.
 */
import {
  createDiscordAdapter,
  type DiscordAdapter,
  type DiscordAdapterOptions,
} from '../../../adapters/discord/index.js';
import { loadConfig } from '../../../src/config.js';
import type { AdminHandler } from '../../../src/admin/types.js';
import { loadDomain } from '../../../src/conversation/domain.js';
import { createFeedbackService } from '../../../src/conversation/feedback.js';
import { createStoreGateway } from '../../../src/conversation/gateway.js';
import { createConversationService } from '../../../src/conversation/pipeline.js';
import type { ConversationHandler, FeedbackHandler } from '../../../src/conversation/types.js';
import { createFakeNlu, createMemoryStore } from '../../conversation/doubles.js';
import { captureLogger } from '../../conversation/harness.js';
import { createMemoryAdmin } from './memory-admin.js';
import {
  startFakeDiscord,
  textChannel,
  threadChannel,
  user,
  type FakeDiscord,
  type FakeDiscordOptions,
} from './fake-discord.js';

// Snowflakes: guild ids decide the shard ((id >> 22) % shard count), so these are realistic.
export const GUILD = '1180000000000000000';
export const OTHER_GUILD = '1180000000004194304';
export const SUPPORT = '1180000000000000101';
export const ELSEWHERE = '1180000000000000102';
export const ADMIN_CHANNEL = '1180000000000000103';
export const THREAD = '1180000000000000201';
export const ADMIN_ROLE = '1180000000000000301';

export const USER_A = user('1190000000000000001', 'alice');
export const USER_B = user('1190000000000000002', 'bob');
export const ADMIN_USER = user('1190000000000000009', 'ada');
export const ECHO_BOT = user('1190000000000000050', 'echo', true);

export function defaultGuilds(): NonNullable<FakeDiscordOptions['guilds']> {
  return [
    {
      id: GUILD,
      name: 'Shop',
      channels: [
        textChannel(SUPPORT, GUILD, 'support'),
        textChannel(ELSEWHERE, GUILD, 'general'),
        textChannel(ADMIN_CHANNEL, GUILD, 'parley-admin'),
      ],
      threads: [threadChannel(THREAD, GUILD, SUPPORT, 'order help')],
      roles: [{ id: ADMIN_ROLE, name: 'Support leads' }],
    },
  ];
}

/** The conversation and feedback services with call counters around them. */
export function createPorts() {
  const memory = createMemoryStore();
  const nlu = createFakeNlu();
  const { logger } = captureLogger();
  const gateway = createStoreGateway({
    store: memory,
    logger,
    readTimeoutMs: 200,
    queue: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  const service = createConversationService({
    store: gateway,
    nlu: () => nlu,
    domain: loadDomain('test/fixtures/domain-shop.yml'),
    config: { PARLEY_HANDOFF_AFTER_FALLBACKS: 2, PARLEY_ESCALATION_TARGET: undefined },
    logger,
  });
  const feedbackService = createFeedbackService({
    store: gateway,
    nlu: () => nlu,
    logger,
    saveWaitMs: 200,
  });

  const handled: string[] = [];
  const forgotten: string[] = [];
  const recorded: unknown[] = [];
  const conversation: ConversationHandler = {
    handle: (message) => (handled.push(message.text), service.handle(message)),
    forget: (key) => (forgotten.push(key.platformMessageId), service.forget(key)),
  };
  const feedback: FeedbackHandler = {
    record: (input) => (recorded.push(input), feedbackService.record(input)),
    intents: () => feedbackService.intents(),
    entityTypes: () => feedbackService.entityTypes(),
  };

  return {
    memory,
    nlu,
    conversation,
    feedback,
    handled,
    forgotten,
    recorded,
    /** Waits until every queued store write has landed. */
    flush: () => gateway.queue.flush(2_000),
    close: () => gateway.queue.close(),
  };
}

export interface HarnessOptions {
  env?: Record<string, string>;
  fake?: FakeDiscordOptions;
  adapter?: DiscordAdapterOptions;
  admin?: AdminHandler;
}

export interface Harness {
  fake: FakeDiscord;
  adapter: DiscordAdapter;
  ports: ReturnType<typeof createPorts>;
  admin: ReturnType<typeof createMemoryAdmin>;
  logs: Record<string, unknown>[];
  /** Waits until the adapter has seen `count` messages in all and finished with them. */
  settled(count: number): Promise<void>;
  /** Stops the adapter and starts a new one on the same ports (a process restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function harnessConfig(fake: FakeDiscord, env: Record<string, string> = {}) {
  return loadConfig({
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_CHANNELS: SUPPORT,
    DISCORD_ADMIN_CHANNEL: ADMIN_CHANNEL,
    DISCORD_ADMIN_USERS: ADMIN_USER.id,
    DISCORD_ADMIN_ROLES: ADMIN_ROLE,
    ...env,
  });
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeDiscord({ guilds: defaultGuilds(), ...options.fake });
  const ports = createPorts();
  const admin = createMemoryAdmin();
  const { logger, lines } = captureLogger();
  const build = () =>
    createDiscordAdapter({
      config: harnessConfig(fake, options.env),
      conversation: ports.conversation,
      feedback: ports.feedback,
      admin: options.admin ?? admin,
      logger,
      options: options.adapter,
    });
  let adapter = build();

  try {
    await adapter.start();
  } catch (err) {
    await fake.close();
    ports.close();
    throw err;
  }

  return {
    fake,
    get adapter() {
      return adapter;
    },
    ports,
    admin,
    logs: lines,
    async settled(count: number) {
      await fake.until(() => adapter.stats().received >= count, `${count} messages seen`);
      await idleWithin(adapter, 5_000);
    },
    async restart() {
      await adapter.stop(2_000);
      adapter = build();
      await adapter.start();
    },
    async close() {
      await adapter.stop(2_000);
      await fake.close();
      ports.close();
    },
  };
}

/** The adapter's idle(), failing instead of hanging when work never stops (a reply loop). */
export async function idleWithin(adapter: DiscordAdapter, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`adapter still busy after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([adapter.idle(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export { captureLogger };
