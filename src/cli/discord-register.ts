import { Command } from 'commander';
import { DiscordAPIError } from 'discord.js';
import {
  fetchApplicationId,
  PARLEY_COMMAND,
  registerSlashCommands,
} from '../../adapters/discord/commands.js';
import { loadConfig } from '../config.js';
import { ParleyError } from '../core/errors.js';
import type { CliCommand } from './command.js';

/**
 * `parley discord-register [--guild ID]`: registers the `/parley` slash command with Discord.
 * In one guild it shows at once (use it while setting up); globally it may take up to an hour.
 * Like src/app.ts, the command line is an entry point and may reach into an adapter.
 */

/** What the command writes to (the part of CliIo it uses). */
export interface RegisterIo {
  stdout(text: string): void;
}

const processIo: RegisterIo = { stdout: (text) => process.stdout.write(text) };

export function discordRegisterCommand(
  io: RegisterIo = processIo,
  env: NodeJS.ProcessEnv = process.env,
): Command {
  return new Command('discord-register')
    .description(
      'register the /parley slash command with Discord (in one guild with --guild, else globally)',
    )
    .option('--guild <id>', 'register in this guild only; it shows at once')
    .action(async (flags: { guild?: string }) => {
      await runRegister(flags.guild, io, env);
    });
}

/** For the `parley` program's command list in commands.ts. */
export const discordRegisterCli: CliCommand = {
  name: 'discord-register',
  register(program, io) {
    program.addCommand(discordRegisterCommand(io));
  },
};

async function runRegister(
  guildId: string | undefined,
  io: RegisterIo,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const config = loadConfig(env);
  const token = config.DISCORD_TOKEN;
  if (!token) {
    throw new ParleyError(
      'CONFIG_INVALID',
      'DISCORD_TOKEN is not set; registering /parley needs the bot token',
    );
  }
  if (guildId !== undefined && !/^\d{15,21}$/.test(guildId)) {
    throw new ParleyError('BAD_REQUEST', `--guild expects a guild id (digits); got ${guildId}`);
  }

  try {
    const applicationId =
      config.DISCORD_APPLICATION_ID ?? (await fetchApplicationId(token, config.DISCORD_API_URL));
    const registered = await registerSlashCommands({
      token,
      applicationId,
      guildId,
      apiUrl: config.DISCORD_API_URL,
    });
    const subcommands = (PARLEY_COMMAND.options ?? []).map((option) => option.name).join(', ');
    for (const command of registered) {
      io.stdout(
        `registered /${command.name} (${command.scope}, id ${command.id}): ${subcommands}\n`,
      );
    }
  } catch (err) {
    throw registerError(err, guildId);
  }
}

function registerError(err: unknown, guildId: string | undefined): ParleyError {
  if (err instanceof ParleyError) return err;
  if (err instanceof DiscordAPIError && err.status === 401) {
    return new ParleyError('CONFIG_INVALID', 'Discord refused DISCORD_TOKEN (401)', { cause: err });
  }
  if (err instanceof DiscordAPIError && (err.status === 403 || err.status === 404)) {
    const where = guildId
      ? `Parley is not in guild ${guildId}, or was invited without the applications.commands scope`
      : 'DISCORD_APPLICATION_ID does not match the token';
    return new ParleyError('CONFIG_INVALID', `Discord answered ${err.status}: ${where}`, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ParleyError('CONFIG_INVALID', `Registering /parley failed: ${message}`, {
    cause: err,
  });
}
