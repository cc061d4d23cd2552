import {
  Events,
  MessageFlags,
  type Client,
  type Interaction,
  type RepliableInteraction,
} from 'discord.js';
import type { Logger } from '../../src/core/log.js';
import { COMMAND_NAME, onParleyCommand, type CommandDeps } from './commands.js';
import { parseCustomId } from './components.js';
import type { FeedbackHandlers } from './feedback.js';
import { describeDiscordError } from './reply.js';
import type { DiscordStats } from './stats.js';
import type { Track } from './track.js';

export interface InteractionDeps {
  feedback: FeedbackHandlers;
  command: CommandDeps;
  stats: DiscordStats;
  log: Logger;
  track: Track;
}

const UNKNOWN = 'This button belongs to an older version of Parley; ask again to get a new one.';
const FAILED = 'Sorry, that did not work. The error is in Parley’s log.';

/**
 * INTERACTION_CREATE: `/parley`, the feedback buttons, the fix picker and its modal. Discord
 * wants exactly one response per interaction within 3 seconds; each handler gives it, and if a
 * handler fails before responding, the person gets an ephemeral apology instead of "The
 * application did not respond".
 */
export function registerInteractionListener(client: Client, deps: InteractionDeps): void {
  client.on(Events.InteractionCreate, (interaction) => {
    deps.stats.interactions += 1;
    void deps.track(handle(interaction, deps));
  });
}

async function handle(interaction: Interaction, deps: InteractionDeps): Promise<void> {
  const log = deps.log.child({ interactionId: interaction.id, userId: interaction.user.id });
  try {
    await route(interaction, deps);
  } catch (err) {
    deps.stats.failures += 1;
    log.error({ err: describeDiscordError(err) }, 'discord interaction failed');
    if (interaction.isRepliable()) await apologise(interaction, log);
    return;
  }
  if (interaction.isRepliable() && !interaction.replied && !interaction.deferred) {
    log.error('discord interaction left without a response; answering it');
    await apologise(interaction, log);
  }
}

async function route(interaction: Interaction, deps: InteractionDeps): Promise<void> {
  if (interaction.isChatInputCommand()) {
    if (interaction.commandName === COMMAND_NAME) return onParleyCommand(interaction, deps.command);
    return void (await interaction.reply({ flags: MessageFlags.Ephemeral, content: UNKNOWN }));
  }
  if (interaction.isAutocomplete()) return void (await interaction.respond([]));

  const customId = 'customId' in interaction ? interaction.customId : undefined;
  const parsed = customId === undefined ? undefined : parseCustomId(customId);
  const { feedback } = deps;

  if (interaction.isButton() && parsed) {
    switch (parsed.action) {
      case 'up':
      case 'down':
        return feedback.onThumb(interaction, parsed.action, parsed.arg);
      case 'fix':
        return feedback.onFix(interaction, parsed.arg);
      case 'fix-details':
        return feedback.onDetails(interaction, parsed.arg);
      case 'fix-save':
        return feedback.onSave(interaction, parsed.arg);
    }
  }
  if (interaction.isStringSelectMenu() && parsed) {
    if (parsed.action === 'fix-intent') return feedback.onIntent(interaction, parsed.arg);
    if (parsed.action === 'fix-types') return feedback.onTypes(interaction, parsed.arg);
  }
  if (interaction.isModalSubmit() && parsed?.action === 'fix-modal') {
    return feedback.onDetailsSubmit(interaction, parsed.arg);
  }
  if (interaction.isRepliable()) {
    await interaction.reply({ flags: MessageFlags.Ephemeral, content: UNKNOWN });
  }
}

/** Tells the person it failed: a response if none was given yet, else an ephemeral follow-up. */
async function apologise(interaction: RepliableInteraction, log: Logger): Promise<void> {
  try {
    if (!interaction.replied && !interaction.deferred) {
      await interaction.reply({ flags: MessageFlags.Ephemeral, content: FAILED });
    } else {
      await interaction.followUp({ flags: MessageFlags.Ephemeral, content: FAILED });
    }
  } catch (err) {
    log.warn({ err: describeDiscordError(err) }, 'discord apology could not be sent');
  }
}
