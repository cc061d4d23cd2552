import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { pino } from 'pino';
import type { AddressInfo } from 'node:net';
import {
  createSlackAdapter,
  type SlackAdapter,
  type SlackAdapterOptions,
} from '../../../adapters/slack/index.js';
import { loadConfig } from '../../../src/config.js';
import type { Logger } from '../../../src/core/log.js';
import { FakeSlack } from './fake-slack.js';
import { loadDomain } from '../../../src/conversation/domain.js';
import { createFeedbackService } from '../../../src/conversation/feedback.js';
import { createStoreGateway } from '../../../src/conversation/gateway.js';
import { createConversationService } from '../../../src/conversation/pipeline.js';
import type { ConversationStore } from '../../../src/conversation/store-port.js';
import { createMemoryStore, type MemoryStore } from '../../conversation/doubles.js';
import {
  createShopNlu,
  MemoryAdmin,
  recordConversation,
  recordFeedback,
  type RecordingConversation,
  type RecordingFeedback,
  type ShopNlu,
} from './doubles.js';

export const SIGNING_SECRET = 'test-signing-secret-8f2a';
export const BOT_TOKEN = 'xoxb-test-token';
export const APP_TOKEN = 'xapp-test-token';
export const SUPPORT = 'C_SUPPORT';
export const ADMIN_CHANNEL = 'C_ADMIN';
export const ADMIN = 'U_ADMIN';

export interface Harness {
  fake: FakeSlack;
  adapter: SlackAdapter;
  /** Parley's conversation service, recorded. */
  conversation: RecordingConversation;
  /** Parley's feedback service, recorded. */
  feedback: RecordingFeedback;
  admin: MemoryAdmin;
  nlu: ShopNlu;
  /** The in-memory ConversationStore under the services (unless a real one was given). */
  store: MemoryStore;
  /** Waits until neither Slack nor Parley has anything in flight. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  socketMode?: boolean;
  env?: Record<string, string | undefined>;
  options?: SlackAdapterOptions;
  /** Leave the adapter stopped (start-up tests). */
  noStart?: boolean;
  logger?: Logger;
  /** A real ConversationStore (the Postgres binding) instead of the in-memory one. */
  conversationStore?: ConversationStore;
}

/**
 * The real adapter (bolt App, our receiver) mounted on a hono server as src/app.ts mounts it,
 * talking to the fake Slack; web-api retries are off so a failure shows at once.
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const fake = await FakeSlack.start({
    botToken: BOT_TOKEN,
    appToken: APP_TOKEN,
    signingSecret: SIGNING_SECRET,
    app: await readManifest(),
  });
  const config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_CHANNELS: SUPPORT,
    SLACK_ADMIN_CHANNEL: ADMIN_CHANNEL,
    SLACK_ADMIN_USERS: ADMIN,
    ...(opts.socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : {}),
    ...opts.env,
  });

  // Parley's real conversation and feedback services over a store and the NLU double
  const logger = opts.logger ?? pino({ level: 'silent' });
  const store = createMemoryStore();
  const nlu = createShopNlu();
  const gateway = createStoreGateway({
    store: opts.conversationStore ?? store,
    logger,
    readTimeoutMs: 500,
    queue: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  const service = createConversationService({
    store: gateway,
    nlu: () => nlu,
    domain: loadDomain(fileURLToPath(new URL('./domain-slack.yml', import.meta.url))),
    config: { PARLEY_HANDOFF_AFTER_FALLBACKS: 2, PARLEY_ESCALATION_TARGET: undefined },
    logger,
  });
  const conversation = recordConversation(service);
  const feedback = recordFeedback(
    createFeedbackService({ store: gateway, nlu: () => nlu, logger, saveWaitMs: 100 }),
  );
  const admin = new MemoryAdmin();
  const adapter = createSlackAdapter({
    config,
    conversation,
    feedback,
    admin,
    logger,
    options: { retryConfig: { retries: 0 }, ...opts.options },
  });

  const server = await listen(adapter);
  fake.eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${adapter.eventsPath}`;
  const stopServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  if (!opts.noStart) {
    await adapter.start().catch(async (err: unknown) => {
      await adapter.stop().catch(() => undefined);
      await stopServer();
      await fake.close();
      await gateway.queue.close();
      throw err;
    });
  }

  const settle = async () => {
    // Settled when a whole round (both idle, a short pause, both idle) saw no new traffic.
    for (let round = 0; round < 50; round += 1) {
      const before = fake.traffic;
      await fake.idle();
      await adapter.idle();
      await new Promise((resolve) => setTimeout(resolve, 10));
      await fake.idle();
      await adapter.idle();
      await service.drain(2000);
      if (fake.traffic === before) return;
    }
    throw new Error('Slack and Parley did not settle');
  };

  const close = async () => {
    await adapter.stop();
    await stopServer();
    await fake.close();
    await service.drain(2000);
    await gateway.queue.close();
  };

  return { fake, adapter, conversation, feedback, admin, nlu, store, settle, close };
}

/** The scopes, events and commands that adapters/slack/manifest.yml grants the app. */
export async function readManifest() {
  const text = await readFile(
    new URL('../../../adapters/slack/manifest.yml', import.meta.url),
    'utf8',
  );
  const manifest = parse(text) as {
    oauth_config: { scopes: { bot: string[] } };
    settings: { event_subscriptions: { bot_events: string[] } };
    features: { slash_commands: { command: string }[] };
  };
  return {
    botScopes: manifest.oauth_config.scopes.bot,
    botEvents: manifest.settings.event_subscriptions.bot_events,
    commands: manifest.features.slash_commands.map((c) => c.command),
  };
}

async function listen(adapter: SlackAdapter): Promise<ServerType> {
  const app = new Hono();
  app.post(adapter.eventsPath, (c) => adapter.handleRequest(c.req.raw));
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(server),
    );
  });
}

/** A pino logger that keeps its lines, for asserting what was logged. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

/** Incoming message rows the conversation service stored. */
export function incomingRows(h: Harness) {
  return [...h.store.messages.values()].filter((row) => row.direction === 'in');
}

/** The stored dialogue state of one conversation. */
export function conversationState(h: Harness, conversationId: string) {
  return [...h.store.conversations.values()].find((row) => row.id === conversationId)?.state;
}

/** The results the conversation service answered with, for replied messages. */
export function repliedResults(h: Harness) {
  return h.conversation.results.flatMap((result) => (result.status === 'replied' ? [result] : []));
}
