import type { ChatInputCommandInteraction, Client } from 'discord.js';
import type { AdminHandler, ReportSink } from '../../src/admin/types.js';
import type { AdapterPlugin } from '../../src/app.js';
import { lazyAdmin } from '../../src/admin/lazy.js';
import type { Config } from '../../src/config.js';
import type {
  ConversationHandler,
  EscalationNotice,
  EscalationNotifier,
  FeedbackHandler,
} from '../../src/conversation/types.js';
import { logger as componentLogger, type Logger } from '../../src/core/log.js';
import { COMMAND_NAME, PARLEY_COMMAND, registerSlashCommands } from './commands.js';
import { createFeedbackHandlers } from './feedback.js';
import { createAnsweredMemory, createFixSessions } from './fix.js';
import { registerInteractionListener } from './interactions.js';
import { registerMessageListeners } from './messages.js';
import { createDiscordReceiver, PARLEY_INTENTS, type ReceiverOptions } from './receiver.js';
import { adminChannel, createDiscordReportSink } from './report-sink.js';
import { readDiscordSettings, type DiscordSettings } from './settings.js';
import { createStats, type DiscordStats } from './stats.js';
import { createTracker } from './track.js';

export { COMMAND_NAME, PARLEY_COMMAND, PARLEY_INTENTS, registerSlashCommands };
export type { DiscordStats };

export interface DiscordAdapterDeps {
  config: Config;
  conversation: ConversationHandler;
  feedback: FeedbackHandler;
  admin: AdminHandler;
  logger?: Logger;
  /** Tuning, mostly for tests; production uses the defaults. */
  options?: DiscordAdapterOptions;
}

export interface DiscordAdapterOptions extends ReceiverOptions {
  /** How long `/parley` waits for the admin handler before deferring (default 1500 ms). */
  commandAckDeadlineMs?: number;
  /** Clock in ms since the epoch, for the interaction-token lifetime. */
  now?: () => number;
}

export interface DiscordAdapter {
  /** Logs in and waits for READY and the guilds; a refused token or intent rejects (CONFIG_INVALID). */
  start(): Promise<void>;
  /** Lets replies in progress finish (up to `drainMs`, default 10 s), then closes the gateway. */
  stop(drainMs?: number): Promise<void>;
  /** Resolves when no reply, feedback or command follow-up is in progress. */
  idle(): Promise<void>;
  /** Counters for monitoring; `emptyContent` shows a missing Message Content intent (C19). */
  stats(): DiscordStats;
  /** Posts retraining reports to DISCORD_ADMIN_CHANNEL; undefined when that is not set. */
  readonly reportSink: ReportSink | undefined;
  /** Posts hand-off notices when PARLEY_ESCALATION_TARGET is `discord:<channel id>`. */
  readonly escalation: EscalationNotifier | undefined;
  /** The discord.js client (for sharding inspection and tests). */
  readonly client: Client;
}

export function createDiscordAdapter(deps: DiscordAdapterDeps): DiscordAdapter {
  const settings = readDiscordSettings(deps.config);
  const log = deps.logger ?? componentLogger('discord');
  const options = deps.options ?? {};
  const tracker = createTracker();
  const stats = createStats();
  const receiver = createDiscordReceiver(settings, log, options);
  const { client } = receiver;
  const answered = createAnsweredMemory();
  const botUserId = () => client.user?.id ?? '';

  const reportSink = settings.adminChannel
    ? createDiscordReportSink({ client, channelId: settings.adminChannel, log })
    : undefined;
  const postToAdminChannel = settings.adminChannel
    ? async (text: string) => {
        const channel = await adminChannel(client, settings.adminChannel as string);
        await channel.send({ content: text.slice(0, 2000), allowedMentions: { parse: [] } });
      }
    : undefined;

  registerMessageListeners(client, {
    conversation: deps.conversation,
    scope: () => ({ botUserId: botUserId(), channels: settings.channels, guilds: settings.guilds }),
    answered,
    stats,
    contentIntent: receiver.hasContentIntent,
    log,
    track: tracker.track,
  });
  registerInteractionListener(client, {
    feedback: createFeedbackHandlers({
      feedback: deps.feedback,
      answered,
      sessions: createFixSessions({ now: options.now }),
      botUserId,
      log,
    }),
    command: {
      admin: deps.admin,
      isAdmin: adminCheck(settings),
      reportSink,
      postToAdminChannel,
      ackDeadlineMs: options.commandAckDeadlineMs ?? 1_500,
      log,
      track: tracker.track,
      now: options.now ?? Date.now,
    },
    stats,
    log,
    track: tracker.track,
  });

  return {
    start: () => receiver.start(),
    stop: async (drainMs = 10_000) => {
      const drained = await settlesWithin(tracker.idle(), drainMs);
      if (!drained) log.warn({ drainMs }, 'discord work still in progress at stop; closing anyway');
      await receiver.stop();
    },
    idle: tracker.idle,
    stats: () => ({ ...stats }),
    reportSink,
    escalation: escalationNotifier(deps.config, client, log),
    client,
  };
}

/** Admins are DISCORD_ADMIN_USERS, and in a guild the members with a DISCORD_ADMIN_ROLES role. */
function adminCheck(settings: DiscordSettings) {
  return (interaction: ChatInputCommandInteraction): boolean => {
    if (settings.adminUsers.has(interaction.user.id)) return true;
    const member = interaction.member;
    if (!member || settings.adminRoles.size === 0) return false;
    const roles = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
    return roles.some((id) => settings.adminRoles.has(id));
  };
}

function escalationNotifier(
  config: Config,
  client: Client,
  log: Logger,
): EscalationNotifier | undefined {
  const target = config.PARLEY_ESCALATION_TARGET;
  if (!target?.startsWith('discord:')) return undefined;
  const channelId = target.slice('discord:'.length);

  return {
    async notify(notice: EscalationNotice) {
      const channel = await adminChannel(client, channelId);
      await channel.send({ content: escalationText(notice), allowedMentions: { parse: [] } });
      log.info(
        { channel: channelId, conversationId: notice.conversationId },
        'discord hand-off notice posted',
      );
    },
  };
}

function escalationText(notice: EscalationNotice): string {
  const why =
    notice.reason === 'request' ? 'asked for a person' : 'was not understood several times';
  const where =
    notice.platform === 'discord'
      ? `<@${notice.userId}> in <#${notice.channelId}>`
      : `${notice.platform} user ${notice.userId} in channel ${notice.channelId}`;
  return `🙋 A customer ${why}: ${where}. Conversation \`${notice.conversationId}\`.`;
}

async function settlesWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The plugin src/app.ts lists among its adapters: on when DISCORD_TOKEN is set. The gateway
 * needs no route on the app's HTTP server; admin commands are looked up on every use, as for
 * Slack, because the learning loop may start after the adapters.
 */
export const discordAdapter: AdapterPlugin = {
  name: 'discord',
  enabled: (config) => Boolean(config.DISCORD_TOKEN),
  create: (ctx) => {
    const discord = createDiscordAdapter({
      config: ctx.config,
      conversation: ctx.conversation,
      feedback: ctx.feedback,
      admin: lazyAdmin(ctx),
      logger: ctx.logger.child({ adapter: 'discord' }),
    });
    return {
      name: 'discord',
      start: () => discord.start(),
      stop: () => discord.stop(),
      notifier: discord.escalation,
      reportSink: discord.reportSink,
    };
  },
};
