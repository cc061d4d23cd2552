import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  REST,
  Routes,
  type APIApplicationCommandOption,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { answerLater, replyWithin, runAdminCommand } from '../../src/admin/adapter-run.js';
import type { AdminContext, AdminHandler, AdminReply, ReportSink } from '../../src/admin/types.js';
import type { Logger } from '../../src/core/log.js';
import { splitMessage } from './components.js';
import { describeDiscordError } from './reply.js';
import { reportMessage } from './report-sink.js';
import type { Track } from '../../src/core/track.js';

export const COMMAND_NAME = 'parley';

const EPHEMERAL = MessageFlags.Ephemeral;

/** Interaction tokens work for 15 minutes; later answers go to the admin channel instead. */
const TOKEN_TTL_MS = 14.5 * 60 * 1000;

const text = (
  name: string,
  description: string,
  required = false,
): APIApplicationCommandOption => ({
  type: ApplicationCommandOptionType.String,
  name,
  description,
  required,
});

/**
 * `/parley` and its subcommands, one per admin command (src/admin). Options are read back in
 * the order given here and joined into the admin command line ("promote v3").
 */
export const PARLEY_COMMAND: RESTPostAPIChatInputApplicationCommandsJSONBody = {
  type: ApplicationCommandType.ChatInput,
  name: COMMAND_NAME,
  description: "Parley's admin commands",
  integration_types: [ApplicationIntegrationType.GuildInstall],
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  options: [
    sub('retrain', 'Start a retraining run now; the result follows when it ends'),
    sub('report', 'The report of a retraining run', [
      text('run', 'Run id (the latest when empty)'),
    ]),
    sub('models', 'List model versions and which one is active'),
    sub('promote', 'Make a model version the active one', [
      text('version', 'Version such as v3', true),
    ]),
    sub('rollback', 'Go back to the previous model, or to a version', [
      text('version', 'Version such as v2 (the parent of the active one when empty)'),
    ]),
    sub('feedback', 'The feedback review queue', [
      {
        ...text('action', 'What to do (list when empty)'),
        choices: ['list', 'accept', 'reject', 'correct'].map((name) => ({ name, value: name })),
      } as APIApplicationCommandOption,
      text('id', 'Queue item id (accept, reject, correct)'),
      text('intent', 'The right intent (correct)'),
    ]),
    sub('stats', 'Traffic, fallback rate, feedback counts and the active model'),
    sub('help', 'What the admin commands do'),
  ],
};

function sub(
  name: string,
  description: string,
  options: APIApplicationCommandOption[] = [],
): APIApplicationCommandOption {
  return {
    type: ApplicationCommandOptionType.Subcommand,
    name,
    description,
    options,
  } as APIApplicationCommandOption;
}

/** `/parley promote version:v3` -> "promote v3". */
export function commandLine(interaction: ChatInputCommandInteraction): string {
  const subcommand = interaction.options.getSubcommand(false) ?? 'help';
  const definition = PARLEY_COMMAND.options?.find((option) => option.name === subcommand);
  const names =
    definition && 'options' in definition && definition.options
      ? definition.options.map((option) => option.name)
      : [];
  const values = names
    .map((name) => interaction.options.getString(name)?.trim())
    .filter((value): value is string => Boolean(value));
  return [subcommand, ...values].join(' ');
}

export interface CommandDeps {
  admin: AdminHandler;
  isAdmin: (interaction: ChatInputCommandInteraction) => boolean;
  reportSink?: ReportSink;
  /** Posts to DISCORD_ADMIN_CHANNEL; undefined when it is not set. */
  postToAdminChannel?: (text: string) => Promise<void>;
  /** How long to wait for the admin handler before deferring (Discord allows 3 s in all). */
  ackDeadlineMs: number;
  log: Logger;
  track: Track;
  now: () => number;
}

/**
 * `/parley <subcommand>`: the admin handler decides, refuses non-admins and audits; the adapter
 * says who asks and keeps Discord's 3-second rule. An answer that comes within `ackDeadlineMs` is
 * the interaction's response; otherwise the response is a deferral and the answer edits it.
 * Slow work (`later`) follows as an ephemeral follow-up, or in the admin channel once the
 * interaction token has expired.
 */
export async function onParleyCommand(
  interaction: ChatInputCommandInteraction,
  deps: CommandDeps,
): Promise<void> {
  const startedAt = deps.now();
  const ctx: AdminContext = {
    platform: 'discord',
    userId: interaction.user.id,
    isAdmin: deps.isAdmin(interaction),
    channelId: interaction.channelId,
  };
  const line = commandLine(interaction);
  const log = deps.log.child({
    userId: ctx.userId,
    isAdmin: ctx.isAdmin,
    command: line.split(' ')[0],
  });

  const running = runAdminCommand(deps.admin, ctx, line, (err) =>
    log.error({ err: describeDiscordError(err) }, 'discord admin command failed'),
  );
  const first = await replyWithin(running, deps.ackDeadlineMs);
  const reply = first ?? (await deferThenWait(interaction, running));
  // Discord refuses an empty message (50006): an empty answer still says something.
  const [head, ...rest] = splitMessage(reply.text || (reply.ok ? 'Done.' : 'That did not work.'));
  if (first) await interaction.reply({ flags: EPHEMERAL, content: head });
  else await interaction.editReply({ content: head });
  for (const part of rest) await interaction.followUp({ flags: EPHEMERAL, content: part });

  if (reply.later) {
    const answer = answerer(interaction, startedAt, deps, log);
    void deps.track(followUp(reply.later, answer, interaction, startedAt, deps, log));
  }
}

async function deferThenWait(
  interaction: ChatInputCommandInteraction,
  running: Promise<AdminReply>,
): Promise<AdminReply> {
  await interaction.deferReply({ flags: EPHEMERAL });
  return running;
}

async function followUp(
  later: NonNullable<AdminReply['later']>,
  answer: (text: string) => Promise<void>,
  interaction: ChatInputCommandInteraction,
  startedAt: number,
  deps: CommandDeps,
  log: Logger,
): Promise<void> {
  const report = await answerLater(later, answer, (err) =>
    log.error({ err: describeDiscordError(err) }, 'discord admin command failed later'),
  );
  if (!report) return;
  if (deps.reportSink) {
    await deps.reportSink.postReport(report).catch((err: unknown) => {
      log.error({ err: describeDiscordError(err), runId: report.runId }, 'discord report failed');
    });
    return;
  }
  // No admin channel: the report goes to the person who asked, while the token lasts.
  if (deps.now() - startedAt < TOKEN_TTL_MS) {
    await interaction
      .followUp({ flags: EPHEMERAL, ...reportMessage(report) })
      .catch((err: unknown) =>
        log.warn({ err: describeDiscordError(err) }, 'discord report follow-up failed'),
      );
  }
}

/** Answers the person who ran the command: a follow-up while the token lasts, else the channel. */
function answerer(
  interaction: ChatInputCommandInteraction,
  startedAt: number,
  deps: CommandDeps,
  log: Logger,
) {
  return async (text: string): Promise<void> => {
    if (deps.now() - startedAt < TOKEN_TTL_MS) {
      try {
        for (const part of splitMessage(text)) {
          await interaction.followUp({ flags: EPHEMERAL, content: part });
        }
        return;
      } catch (err) {
        log.warn({ err: describeDiscordError(err) }, 'discord follow-up failed');
      }
    }
    if (deps.postToAdminChannel) {
      await deps.postToAdminChannel(text).catch((err: unknown) => {
        log.error({ err: describeDiscordError(err) }, 'discord admin channel post failed');
      });
      return;
    }
    log.warn('discord admin answer dropped: interaction expired and no DISCORD_ADMIN_CHANNEL');
  };
}

export interface RegisterOptions {
  token: string;
  applicationId: string;
  /** Registers in one guild (at once) instead of globally (may take up to an hour to show). */
  guildId?: string;
  /** REST base without the version (DISCORD_API_URL); Discord's own when unset. */
  apiUrl?: string;
}

/**
 * Registers `/parley` with a bulk overwrite (PUT), which replaces the application's commands in
 * that scope: running it again is safe and leaves exactly one `/parley`.
 */
export async function registerSlashCommands(
  options: RegisterOptions,
): Promise<{ id: string; name: string; scope: string }[]> {
  const rest = new REST(options.apiUrl ? { api: options.apiUrl } : {}).setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  const created = (await rest.put(route, { body: [PARLEY_COMMAND] })) as {
    id: string;
    name: string;
  }[];
  const scope = options.guildId ? `guild ${options.guildId}` : 'global';
  return created.map(({ id, name }) => ({ id, name, scope }));
}

/** The application id for a bot token (GET /applications/@me), when it is not configured. */
export async function fetchApplicationId(token: string, apiUrl?: string): Promise<string> {
  const rest = new REST(apiUrl ? { api: apiUrl } : {}).setToken(token);
  const application = (await rest.get(Routes.currentApplication())) as { id: string };
  return application.id;
}
