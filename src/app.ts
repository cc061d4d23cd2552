import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { localAdapter } from '../adapters/local/index.js';
import { slackAdapter } from '../adapters/slack/index.js';
import { discordAdapter } from '../adapters/discord/index.js';
import type { RunReader } from './admin/ports.js';
import type { AdminHandler, ReportSink } from './admin/types.js';
import type { Config } from './config.js';
import { checkDomainAgainstModel, loadDomain } from './conversation/domain.js';
import { createFeedbackService } from './conversation/feedback.js';
import { createStoreGateway, type StoreGateway } from './conversation/gateway.js';
import { createConversationService, type ConversationService } from './conversation/pipeline.js';
import {
  createConversationStore,
  createDeferredConversationStore,
} from './conversation/store-binding.js';
import type {
  ConversationHandler,
  EscalationNotifier,
  FeedbackHandler,
} from './conversation/types.js';
import { ParleyError, isParleyError } from './core/errors.js';
import { rootLogger, type Logger } from './core/log.js';
import { startAppLearning } from './jobs/app-learning.js';
import type { LearningLoop } from './jobs/learning-loop.js';
import { loadNluEngine } from './nlu/runtime.js';
import type { NluEngine } from './nlu/types.js';
import { openStore, type Store } from './store/store.js';

/**
 * The composition root: store, model, domain, services, HTTP server and adapters, started and
 * stopped in order. This is the one place in src/ that imports an adapter (the built-in list
 * below); everything else in src/ is platform-neutral.
 */

/** What an adapter is given to plug itself in. */
export interface AdapterContext {
  config: Config;
  conversation: ConversationHandler;
  feedback: FeedbackHandler;
  /** Admin commands, when the app was given a handler (the admin work plugs in here). */
  admin?: AdminHandler;
  /** Retraining runs and their reports, while the learning loop runs (the admin page). */
  runs?: RunReader;
  /** The app's HTTP server routes (127.0.0.1:PORT by default); mount webhooks here. */
  http: Hono;
  logger: Logger;
  modelVersion(): string;
  stats(): Promise<Record<string, unknown>>;
}

export interface RunningAdapter {
  readonly name: string;
  start(): Promise<void>;
  /** Stops taking new messages and lets replies in progress finish. */
  stop(): Promise<void>;
  /** Delivers hand-off notices when PARLEY_ESCALATION_TARGET names this adapter's platform. */
  readonly notifier?: EscalationNotifier;
  readonly reportSink?: ReportSink;
}

export interface AdapterPlugin {
  readonly name: string;
  /** Whether the configuration turns this adapter on (a token is set, ...). */
  enabled(config: Config): boolean;
  create(ctx: AdapterContext): RunningAdapter | Promise<RunningAdapter>;
}

/** Built-in adapters; each turns itself on from the configuration (SLACK_BOT_TOKEN, DISCORD_TOKEN). */
export const BUILT_IN_ADAPTERS: AdapterPlugin[] = [localAdapter, slackAdapter, discordAdapter];

export interface AppOptions {
  logger?: Logger;
  /** Serve this engine instead of loading PARLEY_MODEL (tests, `parley chat` with a model). */
  nlu?: NluEngine;
  notifier?: EscalationNotifier;
  admin?: AdminHandler;
  /**
   * Run the learning loop (model registry, hot swap, retraining, admin commands) on the store.
   * On by default unless `nlu` is given; needs PARLEY_MODEL and PARLEY_BASE_DATA on first start.
   */
  learning?: boolean;
  adapters?: AdapterPlugin[];
  /** How long `stop()` waits for messages in flight and queued writes, ms. */
  drainTimeoutMs?: number;
  /** Options for the store gateway (tests shorten the timeouts). */
  gateway?: Partial<Parameters<typeof createStoreGateway>[0]>;
}

export interface ParleyApp {
  start(): Promise<void>;
  /** Drains messages in flight and queued writes, then closes everything. Safe to call twice. */
  stop(): Promise<void>;
  /** `http://host:port` once started. */
  readonly url: string;
  /** The running parts, once started (tests and `parley chat` look inside). */
  readonly parts: AppParts;
  /** Serves another model from the next message on (hot swap). */
  setEngine(engine: NluEngine): void;
}

export interface AppParts {
  store?: Store;
  /** The learning loop, once the store is there and `learning` is on. */
  learning?: LearningLoop;
  gateway: StoreGateway;
  conversation: ConversationService;
  feedback: FeedbackHandler;
  engine: NluEngine;
  http: Hono;
  adapters: RunningAdapter[];
}

const DEFAULT_DRAIN_MS = 10_000;
/** A Postgres server that is down at start is waited for this long in the background, ms. */
const STORE_WAIT_MS = 24 * 60 * 60 * 1000;

export function createApp(config: Config, options: AppOptions = {}): ParleyApp {
  const base = options.logger ?? rootLogger();
  const log = base.child({ component: 'app' });
  let parts: AppParts | undefined;
  let server: Server | undefined;
  let url = '';
  let engine: NluEngine | undefined;
  let ownsEngine = false;
  let stopping: Promise<void> | undefined;
  let learning: LearningLoop | undefined;
  const learningOn = options.learning ?? options.nlu === undefined;

  async function start(): Promise<void> {
    // Model and domain first: their configuration errors are the cheapest to find.
    engine = options.nlu ?? (await loadEngine(config));
    ownsEngine = options.nlu === undefined;
    const domain = loadDomain(config.PARLEY_DOMAIN);
    checkDomainAgainstModel(domain, engine);

    const { store, port } = await openConversationStore();
    if (store && learningOn) await startLearning(store);
    const gateway = createStoreGateway({
      store: port,
      logger: base.child({ component: 'store-gateway' }),
      ...options.gateway,
    });
    let adapters: RunningAdapter[] = [];
    const conversation = createConversationService({
      store: gateway,
      nlu: currentEngine,
      domain,
      config,
      logger: base.child({ component: 'conversation' }),
      notifier: options.notifier ?? (() => escalationNotifier(adapters, config)),
    });
    const feedback = createFeedbackService({
      store: gateway,
      nlu: currentEngine,
      logger: base.child({ component: 'feedback' }),
    });

    const http = createHttp(gateway);
    parts = { store, learning, gateway, conversation, feedback, engine, http, adapters };
    adapters = await createAdapters(http, conversation, feedback, gateway);
    parts.adapters = adapters;

    await listen(http);
    for (const adapter of adapters) await adapter.start();
    log.info({ url, model: engine.version, adapters: adapters.map((a) => a.name) }, 'Parley is up');
  }

  function currentEngine(): NluEngine {
    if (!engine) throw new ParleyError('MODEL_NOT_FOUND', 'no model is loaded yet');
    return engine;
  }

  /** PGlite opens now or fails start; a server that is down is waited for in the background. */
  async function openConversationStore() {
    const storeLog = base.child({ component: 'store' });
    if (!config.DATABASE_URL) {
      const store = await openStore({ dataDir: config.PARLEY_DATA_DIR, logger: storeLog });
      return { store, port: createConversationStore(store) };
    }
    const open = (waitForDatabaseMs: number) =>
      openStore({
        databaseUrl: config.DATABASE_URL,
        dataDir: config.PARLEY_DATA_DIR,
        logger: storeLog,
        waitForDatabaseMs,
      });
    try {
      const store = await open(0);
      return { store, port: createConversationStore(store) };
    } catch (err) {
      if (!isParleyError(err, 'STORE_UNAVAILABLE')) throw err;
      log.warn('database unreachable at start: answering anyway, storing once it is reachable');
      const deferred = createDeferredConversationStore();
      void open(STORE_WAIT_MS).then(
        (store) => attachStore(store, deferred),
        (cause: unknown) => {
          log.error({ err: cause }, 'database could not be opened; turns stay queued in memory');
          return undefined;
        },
      );
      return { store: undefined, port: deferred };
    }
  }

  async function attachStore(
    store: Store,
    deferred: ReturnType<typeof createDeferredConversationStore>,
  ): Promise<Store | undefined> {
    if (stopping || !parts) {
      await store.close();
      return undefined;
    }
    deferred.attach(createConversationStore(store));
    parts.store = store;
    if (learningOn) {
      await startLearning(store).catch((err: unknown) =>
        log.error({ err }, 'the learning loop could not start; serving the folder model'),
      );
    }
    log.info('database reachable: store attached');
    return store;
  }

  /**
   * From here on the registry's active version is served (the first start registers PARLEY_MODEL
   * as v1), and every promotion swaps it in; the engine loaded from the folder is let go.
   */
  async function startLearning(store: Store): Promise<void> {
    learning = await startAppLearning({
      config,
      store,
      sinks: () => (parts?.adapters ?? []).flatMap((a) => (a.reportSink ? [a.reportSink] : [])),
      logger: base.child({ component: 'learning' }),
    });
    const folderEngine = engine;
    engine = learning.model;
    if (parts) Object.assign(parts, { engine, learning });
    if (ownsEngine && folderEngine && 'release' in folderEngine) {
      await (folderEngine as { release(): Promise<void> }).release();
    }
    ownsEngine = false;
  }

  function createHttp(gateway: StoreGateway): Hono {
    const http = new Hono();
    http.get('/healthz', (c) => c.json({ alive: true }));
    http.get('/readyz', async (c) => {
      const storeUp = await gateway.ping();
      const ready = storeUp && engine !== undefined && !stopping;
      const body = {
        ready,
        store: storeUp ? 'up' : 'down',
        model: engine?.version ?? null,
        writesQueued: gateway.queue.pending,
        stopping: stopping !== undefined,
      };
      return c.json(body, ready ? 200 : 503);
    });
    return http;
  }

  async function createAdapters(
    http: Hono,
    conversation: ConversationHandler,
    feedback: FeedbackHandler,
    gateway: StoreGateway,
  ): Promise<RunningAdapter[]> {
    const ctx: AdapterContext = {
      config,
      conversation,
      feedback,
      // Read when used: the learning loop may start after the adapters (a database down at start).
      get admin() {
        return options.admin ?? learning?.admin;
      },
      get runs() {
        return learning?.runs;
      },
      http,
      logger: base,
      modelVersion: () => currentEngine().version,
      stats: () => stats(gateway),
    };
    const plugins = (options.adapters ?? BUILT_IN_ADAPTERS).filter((p) => p.enabled(config));
    const adapters: RunningAdapter[] = [];
    for (const plugin of plugins) adapters.push(await plugin.create(ctx));
    return adapters;
  }

  async function stats(gateway: StoreGateway): Promise<Record<string, unknown>> {
    const counts = await gateway.counts().catch(() => null);
    return {
      store: counts ? 'up' : 'down',
      counts,
      writesQueued: gateway.queue.pending,
      modelVersion: engine?.version ?? null,
    };
  }

  async function listen(http: Hono): Promise<void> {
    const created = createAdaptorServer({ fetch: http.fetch }) as Server;
    await new Promise<void>((resolve, reject) => {
      created.once('error', (err: NodeJS.ErrnoException) => {
        const detail = err.code === 'EADDRINUSE' ? 'the port is taken; set PORT' : String(err);
        reject(
          new ParleyError(
            'CONFIG_INVALID',
            `cannot listen on ${config.HOST}:${config.PORT}: ${detail}`,
            { cause: err },
          ),
        );
      });
      created.listen(config.PORT, config.HOST, () => resolve());
    });
    server = created;
    const address = created.address() as AddressInfo;
    const host = address.address.includes(':') ? `[${address.address}]` : address.address;
    url = `http://${host}:${address.port}`;
  }

  async function stop(): Promise<void> {
    stopping ??= shutdown();
    return stopping;
  }

  async function shutdown(): Promise<void> {
    log.info('stopping: no new connections, finishing messages in flight');
    const closed = server ? closeServer(server) : Promise.resolve();
    for (const adapter of parts?.adapters ?? []) {
      await adapter
        .stop()
        .catch((err: unknown) => log.error({ err, adapter: adapter.name }, 'adapter stop failed'));
    }

    if (parts) {
      const { drained } = await parts.conversation.drain(
        options.drainTimeoutMs ?? DEFAULT_DRAIN_MS,
      );
      if (!drained)
        log.error(
          { writesQueued: parts.gateway.queue.pending },
          'stopped before every write was stored',
        );
      parts.gateway.queue.close();
    }
    server?.closeAllConnections();
    await closed;

    await learning?.stop();
    await parts?.store?.close();
    if (ownsEngine && engine && 'release' in engine)
      await (engine as { release(): Promise<void> }).release();
    log.info('stopped');
  }

  return {
    start,
    stop,
    get url() {
      return url;
    },
    get parts() {
      if (!parts) throw new ParleyError('NOT_FOUND', 'the app has not been started');
      return parts;
    },
    setEngine(next: NluEngine) {
      engine = next;
      if (parts) parts.engine = next;
    },
  };
}

async function loadEngine(config: Config): Promise<NluEngine> {
  return loadNluEngine(config.PARLEY_MODEL, { device: config.PARLEY_DEVICE });
}

/** The notifier of the adapter PARLEY_ESCALATION_TARGET names (`slack:C0123` -> slack). */
function escalationNotifier(adapters: RunningAdapter[], config: Config) {
  const platform = config.PARLEY_ESCALATION_TARGET?.split(':')[0];
  return adapters.find((adapter) => adapter.name === platform)?.notifier;
}

/** Stops accepting connections; idle keep-alive connections are closed at once. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
