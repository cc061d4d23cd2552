import { once } from 'node:events';
import {
  Client,
  DiscordjsErrorCodes,
  Events,
  GatewayIntentBits,
  Partials,
  type ClientOptions,
} from 'discord.js';
import { ParleyError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/log.js';
import { describeDiscordError } from './reply.js';
import type { DiscordSettings } from './settings.js';

/**
 * The discord.js client and its gateway connection. Parley needs four intents: Guilds (channels
 * and threads are cached from GUILD_CREATE), GuildMessages, DirectMessages, and the privileged
 * MessageContent, without which guild messages arrive with empty content (case C19).
 */
export const PARLEY_INTENTS: readonly GatewayIntentBits[] = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.MessageContent,
];

export interface ReceiverOptions {
  /** Intents to identify with; PARLEY_INTENTS unless a deployment chooses fewer. */
  intents?: readonly GatewayIntentBits[];
  /** REST request timeout in milliseconds (discord.js's default is 15000). */
  restTimeoutMs?: number;
  /** How long start() waits for READY and the guilds, in milliseconds (default 60000). */
  readyTimeoutMs?: number;
}

export interface DiscordReceiver {
  readonly client: Client;
  readonly hasContentIntent: boolean;
  /** Logs in, waits until every shard is ready; a refusal rejects with CONFIG_INVALID. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createDiscordReceiver(
  settings: DiscordSettings,
  log: Logger,
  options: ReceiverOptions = {},
): DiscordReceiver {
  const intents = options.intents ?? PARLEY_INTENTS;
  const hasContentIntent = intents.includes(GatewayIntentBits.MessageContent);
  const client = new Client(clientOptions(settings, intents, options));
  listenToClient(client, log);

  return {
    client,
    hasContentIntent,
    async start() {
      if (!hasContentIntent) warnNoContentIntent(log);
      await connect(client, settings, options.readyTimeoutMs ?? 60_000);
      log.info(
        {
          botUserId: client.user?.id,
          shards: client.options.shards,
          shardCount: client.options.shardCount,
          guilds: client.guilds.cache.size,
        },
        'discord adapter started',
      );
    },
    async stop() {
      await client.destroy();
    },
  };
}

function clientOptions(
  settings: DiscordSettings,
  intents: readonly GatewayIntentBits[],
  options: ReceiverOptions,
): ClientOptions {
  const shards =
    settings.shards.kind === 'list'
      ? { shards: settings.shards.ids, shardCount: settings.shards.count }
      : { shards: 'auto' as const };
  return {
    intents: [...intents],
    // DM channels are not in the cache until used, and deletions or edits of messages sent
    // before this process started arrive for uncached messages: both need partials.
    partials: [Partials.Channel, Partials.Message],
    rest: {
      ...(settings.apiUrl ? { api: settings.apiUrl } : {}),
      timeout: options.restTimeoutMs ?? 15_000,
    },
    allowedMentions: { parse: [], repliedUser: false },
    ...shards,
  };
}

/**
 * One warning at start, not one per message: every guild message would otherwise be an empty
 * one. DMs and messages that mention Parley keep their content without the intent.
 */
function warnNoContentIntent(log: Logger): void {
  log.warn(
    { missingIntent: 'MessageContent' },
    'discord: the MessageContent gateway intent is not requested, so guild messages arrive with empty content; Parley will answer only direct messages and mentions (request GatewayIntentBits.MessageContent and enable "Message Content Intent" under Bot > Privileged Gateway Intents in the Developer Portal)',
  );
}

function listenToClient(client: Client, log: Logger): void {
  // discord.js's `debug` lines are dropped: payload dumps can hold customer text.
  client.on(Events.Warn, (message) => log.warn({ source: 'discord.js' }, message));
  client.on(Events.Error, (err) =>
    log.error({ err: describeDiscordError(err) }, 'discord client error'),
  );
  client.on(Events.ShardError, (err, shardId) =>
    log.error({ err: describeDiscordError(err), shardId }, 'discord shard error'),
  );
  client.on(Events.ShardDisconnect, (event, shardId) =>
    log.warn({ code: event.code, shardId }, 'discord shard disconnected and will not reconnect'),
  );
  client.on(Events.ShardReconnecting, (shardId) =>
    log.info({ shardId }, 'discord shard reconnecting'),
  );
}

async function connect(client: Client, settings: DiscordSettings, readyTimeoutMs: number) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), readyTimeoutMs);
  const ready = once(client, Events.ClientReady, { signal: abort.signal });
  ready.catch(() => undefined);
  try {
    await client.login(settings.token);
    await ready;
  } catch (err) {
    abort.abort();
    await client.destroy().catch(() => undefined);
    throw startError(err, settings, readyTimeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

/** Says which setting to fix; never repeats the token. */
function startError(err: unknown, settings: DiscordSettings, readyTimeoutMs: number): ParleyError {
  const { status, code, message } = describeDiscordError(err);
  const where = settings.apiUrl ?? 'https://discord.com/api';

  if (
    code === DiscordjsErrorCodes.TokenInvalid ||
    status === 401 ||
    /authentication failed/i.test(message)
  ) {
    return new ParleyError(
      'CONFIG_INVALID',
      'Discord refused DISCORD_TOKEN (401). Copy the token from the Developer Portal (your application > Bot > Reset Token).',
      { cause: err },
    );
  }
  if (/disallowed intents/i.test(message)) {
    return new ParleyError(
      'CONFIG_INVALID',
      'Discord refused the privileged MessageContent intent (gateway close 4014). Enable "Message Content Intent" under Bot > Privileged Gateway Intents in the Developer Portal, then restart.',
      { cause: err },
    );
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return new ParleyError(
      'CONFIG_INVALID',
      `Discord did not report READY within ${readyTimeoutMs} ms; check DISCORD_API_URL (${where}) and the network.`,
      { cause: err },
    );
  }
  return new ParleyError(
    'CONFIG_INVALID',
    `Discord could not be reached at ${where} (${message}); check DISCORD_API_URL and the network.`,
    { cause: err },
  );
}
