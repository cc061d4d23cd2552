import { z } from 'zod';
import { ParleyError } from './core/errors.js';

/**
 * The one configuration module. Every setting is read from the environment here, validated once
 * at start, and passed down as a typed object; nothing else reads `process.env` for settings.
 * Each key below says what it means and what values are valid.
 */

const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

const envSchema = z.object({
  // Postgres connection string; unset means the embedded PGlite store in PARLEY_DATA_DIR.
  DATABASE_URL: z.string().url().optional(),
  // Folder that holds the embedded PGlite database (one process owns it).
  PARLEY_DATA_DIR: z.string().min(1).default('.parley/data'),
  // Model folder to serve (model.onnx + manifest.json); the shipped default when unset.
  PARLEY_MODEL: z.string().min(1).default('models/default/model'),
  // Training data of the shipped model: on first start it becomes the base examples (any format).
  PARLEY_BASE_DATA: z.string().min(1).default('models/default/data/nlu.yml'),
  // Domain file (reply templates, required entities, hand-off rules).
  PARLEY_DOMAIN: z.string().min(1).default('models/default/domain.yml'),
  // Execution provider for inference and training: cpu, or cuda (needs the CUDA binaries).
  PARLEY_DEVICE: z.enum(['cpu', 'cuda']).default('cpu'),
  // HTTP port for the local web chat, the JSON API, health checks and Slack's Events API.
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Interface to listen on; loopback by default so a fresh install is not exposed.
  HOST: z.string().min(1).default('127.0.0.1'),
  // pino level: fatal, error, warn, info, debug, trace or silent.
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Consecutive fallbacks in one conversation before Parley hands off to a person (>= 1);
  // unset means the domain file's handoff.after_fallbacks, else 2.
  PARLEY_HANDOFF_AFTER_FALLBACKS: z.coerce.number().int().min(1).optional(),
  // Where hand-off notices go, as platform:channel (for example slack:C0123 or discord:123).
  PARLEY_ESCALATION_TARGET: z.string().optional(),
  // Users allowed to run admin commands on the local adapter and the command line.
  PARLEY_ADMIN_USERS: csv,

  // Retraining: cron expression and time zone for the scheduled run; empty disables it.
  PARLEY_RETRAIN_CRON: z.string().default('0 3 * * *'),
  PARLEY_RETRAIN_TZ: z.string().default('UTC'),
  // Whether a thumbs-up counts as confirmation of the prediction for training.
  PARLEY_TRAIN_ON_THUMBS_UP: bool(true),

  // Slack (the adapter starts only when SLACK_BOT_TOKEN is set).
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z.string().optional(),
  SLACK_ADMIN_CHANNEL: z.string().optional(),
  SLACK_ADMIN_USERS: csv,
  SLACK_CHANNELS: csv,
  SLACK_API_URL: z.string().url().optional(),

  // Discord (the adapter starts only when DISCORD_TOKEN is set).
  DISCORD_TOKEN: z.string().optional(),
  DISCORD_APPLICATION_ID: z.string().optional(),
  DISCORD_CHANNELS: csv,
  DISCORD_GUILDS: csv,
  DISCORD_ADMIN_CHANNEL: z.string().optional(),
  DISCORD_ADMIN_USERS: csv,
  DISCORD_ADMIN_ROLES: csv,
  DISCORD_API_URL: z.string().url().optional(),
  // Shards: "auto", or a comma-separated list of shard ids with DISCORD_SHARD_COUNT.
  DISCORD_SHARDS: z.string().default('auto'),
  DISCORD_SHARD_COUNT: z.coerce.number().int().min(1).optional(),
});

export type Config = z.infer<typeof envSchema>;

/** Reads and validates the configuration; a wrong value names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;

  const lines = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    return `${name}: ${issue.message}`;
  });
  throw new ParleyError('CONFIG_INVALID', `Invalid configuration:\n  ${lines.join('\n  ')}`);
}
