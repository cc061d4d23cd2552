import type { Config } from '../../src/config.js';
import { ParleyError } from '../../src/core/errors.js';

/** The Discord settings from src/config.ts, checked and in the shapes the adapter uses. */
export interface DiscordSettings {
  token: string;
  /** Needed to register `/parley` and for interaction follow-ups (taken from READY otherwise). */
  applicationId?: string;
  /** Channels answered without a mention; threads under them count too. */
  channels: ReadonlySet<string>;
  /** Guilds where every channel is answered without a mention. */
  guilds: ReadonlySet<string>;
  adminChannel?: string;
  adminUsers: ReadonlySet<string>;
  adminRoles: ReadonlySet<string>;
  /** REST base without the version, e.g. http://127.0.0.1:8080/api; Discord's own when unset. */
  apiUrl?: string;
  shards: ShardPlan;
}

/**
 * Which gateway shards this process runs. `auto` asks Discord (GET /gateway/bot) how many shards
 * the bot needs and runs all of them here; a list runs only those ids out of `count`.
 */
export type ShardPlan = { kind: 'auto' } | { kind: 'list'; ids: number[]; count: number };

export function readDiscordSettings(config: Config): DiscordSettings {
  if (!config.DISCORD_TOKEN) {
    throw new ParleyError(
      'CONFIG_INVALID',
      'DISCORD_TOKEN is not set; the Discord adapter needs the bot token from the Developer Portal (Bot > Token)',
    );
  }
  return {
    token: config.DISCORD_TOKEN,
    applicationId: config.DISCORD_APPLICATION_ID,
    channels: new Set(config.DISCORD_CHANNELS),
    guilds: new Set(config.DISCORD_GUILDS),
    adminChannel: config.DISCORD_ADMIN_CHANNEL,
    adminUsers: new Set(config.DISCORD_ADMIN_USERS),
    adminRoles: new Set(config.DISCORD_ADMIN_ROLES),
    apiUrl: config.DISCORD_API_URL,
    shards: readShardPlan(config.DISCORD_SHARDS, config.DISCORD_SHARD_COUNT),
  };
}

/**
 * DISCORD_SHARDS is `auto` or a comma-separated list of shard ids; a list needs
 * DISCORD_SHARD_COUNT (the total over every process). `auto` with a count runs all `count` shards
 * in this process without asking Discord for its recommendation.
 */
export function readShardPlan(shards: string, count: number | undefined): ShardPlan {
  const text = shards.trim().toLowerCase();
  if (text === 'auto' || text === '') {
    if (count === undefined) return { kind: 'auto' };
    return { kind: 'list', ids: range(count), count };
  }

  const ids = text.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^\d+$/.test(id))) {
    throw new ParleyError(
      'CONFIG_INVALID',
      `DISCORD_SHARDS must be "auto" or shard ids such as "0,1"; got ${JSON.stringify(shards)}`,
    );
  }
  if (count === undefined) {
    throw new ParleyError(
      'CONFIG_INVALID',
      'DISCORD_SHARDS lists shard ids, so DISCORD_SHARD_COUNT must say how many shards there are in all',
    );
  }
  const numbers = [...new Set(ids.map(Number))].sort((a, b) => a - b);
  const outside = numbers.filter((id) => id >= count);
  if (outside.length > 0) {
    throw new ParleyError(
      'CONFIG_INVALID',
      `DISCORD_SHARDS has ids ${outside.join(', ')}, but DISCORD_SHARD_COUNT=${count} allows 0..${count - 1}`,
    );
  }
  return { kind: 'list', ids: numbers, count };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
