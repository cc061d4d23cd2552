import { App, webApi, type AppOptions } from '@slack/bolt';
import type { AdminHandler, ReportSink } from '../../src/admin/types.js';
import type { AdapterContext, AdapterPlugin } from '../../src/app.js';
import { lazyAdmin } from '../../src/admin/lazy.js';
import type { Config } from '../../src/config.js';
import type {
  ConversationHandler,
  EscalationNotifier,
  FeedbackHandler,
} from '../../src/conversation/types.js';
import { ParleyError } from '../../src/core/errors.js';
import { logger as componentLogger, type Logger } from '../../src/core/log.js';
import { COMMAND, registerAdminCommand } from './commands.js';
import { createSlackEscalationNotifier, slackEscalationChannel } from './escalation.js';
import { registerFeedbackListeners } from './feedback.js';
import { boltLogger } from './log.js';
import { registerMessageListeners } from './messages.js';
import { FetchReceiver } from './receiver.js';
import { describeSlackError, postOnce } from './reply.js';
import { createSlackReportSink } from './report-sink.js';
import { createTracker } from './track.js';

export { COMMAND };

/** Where Slack's Events API, interactivity and slash-command requests are served. */
export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * What this adapter needs from the Slack app; manifest.yml asks for exactly this (a test keeps
 * them equal). Scopes by use: chat:write for chat.postMessage, chat.update and
 * chat.postEphemeral; files:write for the external upload flow; commands for /parley;
 * app_mentions:read and the three *:history scopes for the events below. views.open and
 * auth.test need none. Socket Mode also needs an app-level token with connections:write.
 */
export const SLACK_APP_NEEDS = {
  botScopes: [
    'app_mentions:read',
    'channels:history',
    'chat:write',
    'commands',
    'files:write',
    'groups:history',
    'im:history',
  ],
  botEvents: ['app_mention', 'message.channels', 'message.groups', 'message.im'],
  commands: [COMMAND],
} as const;

export interface SlackAdapterDeps {
  config: Config;
  conversation: ConversationHandler;
  feedback: FeedbackHandler;
  admin: AdminHandler;
  logger?: Logger;
  /** Tuning, mostly for tests; production uses the defaults. */
  options?: SlackAdapterOptions;
}

export interface SlackAdapterOptions {
  /** Web API retries for every call but chat.postMessage; web-api's default (10 in ~30 min). */
  retryConfig?: webApi.RetryOptions;
  /** Web API request timeout in milliseconds (default 15000). */
  requestTimeoutMs?: number;
  /** How long `/parley` waits for the admin handler before acknowledging (default 1500 ms). */
  commandAckDeadlineMs?: number;
  /** Clock for the signature timestamp check, in ms since the epoch. */
  now?: () => number;
}

export interface SlackAdapter {
  /** `http`: events arrive at `handleRequest`; `socket`: over Socket Mode (SLACK_APP_TOKEN). */
  readonly mode: 'http' | 'socket';
  readonly eventsPath: typeof SLACK_EVENTS_PATH;
  /** Fetch-API handler for `POST /slack/events`; mount it on the app's server (HTTP mode). */
  handleRequest(request: Request): Promise<Response>;
  /** Checks the token (auth.test) and starts taking events; a bad token rejects with CONFIG_INVALID. */
  start(): Promise<void>;
  /** Stops taking events and lets replies in progress finish. */
  stop(): Promise<void>;
  /** Resolves when no reply, modal or command follow-up is in progress. */
  idle(): Promise<void>;
  /** Posts retraining reports to SLACK_ADMIN_CHANNEL; undefined when that is not set. */
  readonly reportSink: ReportSink | undefined;
  /** Posts hand-off notices when PARLEY_ESCALATION_TARGET is `slack:<channel id>`. */
  readonly escalationNotifier: EscalationNotifier | undefined;
}

interface SlackSettings {
  token: string;
  signingSecret?: string;
  appToken?: string;
  adminChannel?: string;
  escalationChannel?: string;
  admins: ReadonlySet<string>;
  channels: ReadonlySet<string>;
  apiUrl?: string;
}

export function createSlackAdapter(deps: SlackAdapterDeps): SlackAdapter {
  const settings = readSettings(deps.config);
  const log = deps.logger ?? componentLogger('slack');
  const options = deps.options ?? {};
  const tracker = createTracker();

  // build the clients: one with retries for idempotent calls, one without for posts
  const clientOptions: webApi.WebClientOptions = {
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
    ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
    timeout: options.requestTimeoutMs ?? 15_000,
    logger: boltLogger(log),
  };
  const postClient = new webApi.WebClient(settings.token, {
    ...clientOptions,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });

  // build the app: our Fetch receiver for HTTP, bolt's own receiver for Socket Mode
  const receiver = settings.appToken
    ? undefined
    : new FetchReceiver({
        signingSecret: settings.signingSecret ?? '',
        logger: log,
        now: options.now,
      });
  const app = new App({
    token: settings.token,
    deferInitialization: true,
    convoStore: false,
    logger: boltLogger(log),
    clientOptions,
    ...connection(settings, receiver),
  });
  app.error(async (err) => {
    log.error({ err: describeSlackError(err) }, 'slack listener failed');
  });

  // listeners
  const postToAdminChannel = settings.adminChannel
    ? async (text: string) => {
        await postOnce(postClient, { channel: settings.adminChannel as string, text }, log);
      }
    : undefined;
  const reportSink = settings.adminChannel
    ? createSlackReportSink({ client: app.client, postClient, channel: settings.adminChannel, log })
    : undefined;

  registerMessageListeners(app, {
    conversation: deps.conversation,
    postClient,
    channels: settings.channels,
    log,
    track: tracker.track,
  });
  registerFeedbackListeners(app, {
    feedback: deps.feedback,
    client: app.client,
    log,
    track: tracker.track,
  });
  registerAdminCommand(app, {
    admin: deps.admin,
    admins: settings.admins,
    postToAdminChannel,
    reportSink,
    ackDeadlineMs: options.commandAckDeadlineMs ?? 1500,
    log,
    track: tracker.track,
  });

  return {
    mode: receiver ? 'http' : 'socket',
    eventsPath: SLACK_EVENTS_PATH,
    handleRequest: (request) =>
      receiver
        ? receiver.handle(request)
        : Promise.resolve(new Response('Slack events arrive over Socket Mode', { status: 404 })),
    start: () => start(app, settings, log),
    stop: async () => {
      await app.stop();
      await tracker.idle();
    },
    idle: tracker.idle,
    reportSink,
    escalationNotifier: settings.escalationChannel
      ? createSlackEscalationNotifier({ postClient, channel: settings.escalationChannel, log })
      : undefined,
  };
}

/**
 * The plugin src/app.ts lists among its adapters: on when SLACK_BOT_TOKEN is set. In HTTP mode
 * it mounts `POST /slack/events` on the app's server. Admin commands are looked up on every
 * use, because the learning loop that provides them may start after the adapters (a database
 * that is down at start); until it does, `/parley` answers that they are not available.
 */
export const slackAdapter: AdapterPlugin = {
  name: 'slack',
  enabled: (config) => Boolean(config.SLACK_BOT_TOKEN),
  create: (ctx) => {
    const slack = createSlackAdapter({
      config: ctx.config,
      conversation: ctx.conversation,
      feedback: ctx.feedback,
      admin: lazyAdmin(ctx),
      logger: ctx.logger.child({ adapter: 'slack' }),
    });
    if (slack.mode === 'http') {
      ctx.http.post(slack.eventsPath, (c) => slack.handleRequest(c.req.raw));
    }
    return {
      name: 'slack',
      start: slack.start,
      stop: slack.stop,
      notifier: slack.escalationNotifier,
      reportSink: slack.reportSink,
    };
  },
};

function connection(settings: SlackSettings, receiver: FetchReceiver | undefined): AppOptions {
  if (receiver) return { receiver };
  return { socketMode: true, appToken: settings.appToken };
}

async function start(app: App, settings: SlackSettings, log: Logger): Promise<void> {
  try {
    await app.init();
  } catch (err) {
    throw startupError(err, settings);
  }
  try {
    await app.start();
  } catch (err) {
    throw new ParleyError(
      'CONFIG_INVALID',
      `Slack Socket Mode could not connect (${describeSlackError(err).error ?? describeSlackError(err).message}); check SLACK_APP_TOKEN (an xapp- token with connections:write)`,
      { cause: err },
    );
  }
  log.info({ mode: settings.appToken ? 'socket' : 'http' }, 'slack adapter started');
}

/** auth.test failed: say which setting to fix, never the token itself. */
function startupError(err: unknown, settings: SlackSettings): ParleyError {
  const { error, message } = describeSlackError(err);
  const where = settings.apiUrl ?? 'https://slack.com/api/';
  const text = error
    ? `Slack refused SLACK_BOT_TOKEN: auth.test answered "${error}". Copy the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page.`
    : `Slack could not be reached at ${where} to check SLACK_BOT_TOKEN (${message}); check SLACK_API_URL and the network.`;
  return new ParleyError('CONFIG_INVALID', text, { cause: err });
}

function readSettings(config: Config): SlackSettings {
  if (!config.SLACK_BOT_TOKEN) {
    throw new ParleyError(
      'CONFIG_INVALID',
      'SLACK_BOT_TOKEN is not set; the Slack adapter needs it',
    );
  }
  if (!config.SLACK_APP_TOKEN && !config.SLACK_SIGNING_SECRET) {
    throw new ParleyError(
      'CONFIG_INVALID',
      'SLACK_SIGNING_SECRET is not set; the Events API over HTTP needs it (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  return {
    token: config.SLACK_BOT_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    appToken: config.SLACK_APP_TOKEN,
    adminChannel: config.SLACK_ADMIN_CHANNEL,
    escalationChannel: slackEscalationChannel(config.PARLEY_ESCALATION_TARGET),
    admins: new Set(config.SLACK_ADMIN_USERS),
    channels: new Set(config.SLACK_CHANNELS),
    apiUrl: config.SLACK_API_URL,
  };
}
