/**
 * TEST DOUBLE: a small Discord on 127.0.0.1 for the real discord.js client. It serves the REST
 * routes Parley uses under /api/v10 and a gateway websocket at /gateway, with payloads shaped
 * like Discord's API v10 (checked for discord.js 14.28). It keeps channels' messages, interaction
 * responses and registered commands so tests can look at what Parley did.
 *
 * Like Discord: IDENTIFY is refused with 4004 for a wrong token and 4014 when it asks for the
 * Message Content intent while the "portal" has it off; without that intent guild messages are
 * dispatched with empty content unless they mention the bot; MESSAGE_CREATE for messages posted
 * through REST (Parley's own) goes back to the gateway; `enforce_nonce` returns the message that
 * already has the nonce; an interaction takes exactly one callback (a second gets 40060).
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const INTENT = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

const DISCORD_EPOCH = 1_420_070_400_000n;

export interface ApiUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

export interface ApiChannel {
  id: string;
  type: number;
  guild_id?: string;
  name?: string;
  parent_id?: string | null;
  recipients?: ApiUser[];
  [key: string]: unknown;
}

export interface ApiAttachment {
  id: string;
  filename: string;
  size: number;
  content_type?: string;
  url: string;
  proxy_url: string;
}

export interface ApiMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: ApiUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: ApiUser[];
  mention_roles: string[];
  attachments: ApiAttachment[];
  embeds: Record<string, unknown>[];
  pinned: boolean;
  type: number;
  flags: number;
  components: Record<string, unknown>[];
  nonce?: string | number;
  webhook_id?: string;
  message_reference?: { type: 0; message_id: string; channel_id: string; guild_id?: string };
  referenced_message?: ApiMessage | null;
  channel_type?: number;
  member?: Record<string, unknown>;
  /** Kept by the fake only: uploaded file bytes, by filename. */
  files?: Record<string, Uint8Array>;
}

export interface FakeGuild {
  id: string;
  name: string;
  channels: ApiChannel[];
  threads: ApiChannel[];
  roles: { id: string; name: string }[];
}

export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  userId: string;
  channelId: string;
  dispatchedAt: number;
  /** Every callback POST, in order (Discord accepts only the first). */
  callbacks: { type: number; data?: Record<string, unknown>; at: number; status: number }[];
  /** The response message as last written (type 4 data, or PATCH @original). */
  original?: Record<string, unknown>;
  followUps: Record<string, unknown>[];
  /** The message a component sat on (type 7 edits it). */
  message?: ApiMessage;
}

export interface RequestRecord {
  method: string;
  path: string;
  at: number;
  body?: unknown;
}

export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  bot?: { id: string; username: string };
  guilds?: FakeGuild[];
  /** The Developer Portal's "Message Content Intent" switch. */
  messageContentEnabled?: boolean;
  /** Shards Discord recommends in GET /gateway/bot. */
  recommendedShards?: number;
  /** Shards that may identify at once (session_start_limit.max_concurrency). */
  maxConcurrency?: number;
  heartbeatIntervalMs?: number;
}

interface Session {
  socket: WebSocket;
  intents: number;
  shard: [number, number];
  seq: number;
  heartbeats: number;
}

export function user(id: string, username: string, bot = false): ApiUser {
  return {
    id,
    username,
    global_name: null,
    discriminator: '0',
    avatar: null,
    ...(bot ? { bot: true } : {}),
  };
}

export function textChannel(id: string, guildId: string, name: string): ApiChannel {
  return {
    id,
    type: 0,
    guild_id: guildId,
    name,
    position: 0,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
  };
}

export function threadChannel(
  id: string,
  guildId: string,
  parentId: string,
  name: string,
): ApiChannel {
  return {
    id,
    type: 11,
    guild_id: guildId,
    parent_id: parentId,
    owner_id: '1',
    name,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    thread_metadata: {
      archived: false,
      auto_archive_duration: 1440,
      archive_timestamp: new Date(0).toISOString(),
      locked: false,
    },
  };
}

export class FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly bot: ApiUser;
  readonly guilds: FakeGuild[];
  messageContentEnabled: boolean;
  recommendedShards: number;
  maxConcurrency: number;
  heartbeatIntervalMs: number;

  readonly requests: RequestRecord[] = [];
  readonly interactions = new Map<string, InteractionRecord>();
  readonly commands: { scope: string; body: unknown }[] = [];
  readonly identifies: { intents: number; shard: [number, number] }[] = [];
  readonly closes: number[] = [];
  /** Fires 'change' after every request, dispatch and gateway frame. */
  readonly events = new EventEmitter();

  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  private readonly channelMessages = new Map<string, ApiMessage[]>();
  private readonly dmChannels = new Map<string, ApiChannel>();
  private readonly users = new Map<string, ApiUser>();
  private readonly echoes: { channelId: string; bot: ApiUser }[] = [];
  private idCounter = 0n;
  private port = 0;

  constructor(options: FakeDiscordOptions = {}) {
    this.token = options.token ?? 'fake-bot-token';
    this.applicationId = options.applicationId ?? '900000000000000001';
    const bot = options.bot ?? { id: '900000000000000002', username: 'Parley' };
    this.bot = user(bot.id, bot.username, true);
    this.users.set(this.bot.id, this.bot);
    this.guilds = options.guilds ?? [];
    this.messageContentEnabled = options.messageContentEnabled ?? true;
    this.recommendedShards = options.recommendedShards ?? 1;
    this.maxConcurrency = options.maxConcurrency ?? 1;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
    this.events.setMaxListeners(0);

    this.server = createServer((req, res) => void this.onHttp(req, res));
    this.wss = new WebSocketServer({ server: this.server, path: '/gateway' });
    this.wss.on('connection', (socket) => this.onGateway(socket));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------------------------------------
  // What tests drive

  /** A person (or a bot, or a webhook) posts a message; Discord dispatches MESSAGE_CREATE. */
  post(
    channelId: string,
    author: ApiUser,
    content: string,
    extra: Partial<ApiMessage> = {},
  ): ApiMessage {
    this.users.set(author.id, author);
    const channel = this.channel(channelId);
    const message: ApiMessage = {
      ...this.newMessage(channel, author, content),
      ...extra,
    };
    this.store(message);
    this.dispatchMessage('MESSAGE_CREATE', message);
    return message;
  }

  /** A DM from `author` to the bot. */
  directMessage(author: ApiUser, content: string, extra: Partial<ApiMessage> = {}): ApiMessage {
    const channel = this.dmChannel(author);
    return this.post(channel.id, author, content, { channel_type: 1, ...extra });
  }

  /** An edit; `partialOld` only affects what the test means, Discord sends the new message. */
  edit(message: ApiMessage, content: string): ApiMessage {
    const updated = { ...message, content, edited_timestamp: new Date().toISOString() };
    this.replace(updated);
    this.dispatchMessage('MESSAGE_UPDATE', updated);
    return updated;
  }

  delete(message: ApiMessage): void {
    const list = this.channelMessages.get(message.channel_id) ?? [];
    this.channelMessages.set(
      message.channel_id,
      list.filter((m) => m.id !== message.id),
    );
    this.dispatch(
      'MESSAGE_DELETE',
      {
        id: message.id,
        channel_id: message.channel_id,
        ...(message.guild_id ? { guild_id: message.guild_id } : {}),
      },
      message.guild_id,
      message.guild_id ? INTENT.GuildMessages : INTENT.DirectMessages,
    );
  }

  /** A bot that repeats, as itself, every message a person posts in `channelId`. */
  addEchoBot(channelId: string, bot: ApiUser): void {
    this.users.set(bot.id, bot);
    this.echoes.push({ channelId, bot });
  }

  messages(channelId: string): ApiMessage[] {
    return [...(this.channelMessages.get(channelId) ?? [])];
  }

  /** Everything posted by Parley (the bot user) in a channel. */
  botMessages(channelId: string): ApiMessage[] {
    return this.messages(channelId).filter((m) => m.author.id === this.bot.id);
  }

  /** A click on a button of `message`. */
  click(message: ApiMessage, customId: string, who: ApiUser, roles: string[] = []): string {
    return this.interact(3, message.channel_id, who, roles, {
      data: { custom_id: customId, component_type: 2 },
      message,
    });
  }

  /** A choice in a string select of `message`. */
  select(message: ApiMessage, customId: string, values: string[], who: ApiUser): string {
    return this.interact(3, message.channel_id, who, [], {
      data: { custom_id: customId, component_type: 3, values },
      message,
    });
  }

  /** A modal submitted from a component on `message`; fields by custom_id. */
  submitModal(
    message: ApiMessage,
    customId: string,
    fields: Record<string, string>,
    who: ApiUser,
  ): string {
    const components = Object.entries(fields).map(([fieldId, value], index) => ({
      type: 18,
      id: index * 2 + 1,
      component: { type: 4, id: index * 2 + 2, custom_id: fieldId, value },
    }));
    return this.interact(5, message.channel_id, who, [], {
      data: { custom_id: customId, components },
      message,
    });
  }

  /** `/parley <subcommand> [options]` in a channel (a DM channel when `channelId` is one). */
  slash(
    channelId: string,
    who: ApiUser,
    subcommand: string,
    options: Record<string, string> = {},
    roles: string[] = [],
  ): string {
    const registered = this.commands.at(-1)?.body as { id?: string }[] | undefined;
    return this.interact(2, channelId, who, roles, {
      data: {
        id: registered?.[0]?.id ?? '900000000000000099',
        name: 'parley',
        type: 1,
        options: [
          {
            type: 1,
            name: subcommand,
            options: Object.entries(options).map(([name, value]) => ({ type: 3, name, value })),
          },
        ],
      },
    });
  }

  /** The ephemeral "fix" picker as a message, so its components can be clicked. */
  responseMessage(interactionId: string): ApiMessage {
    const record = this.interactions.get(interactionId);
    if (!record?.original) throw new Error(`interaction ${interactionId} has no response message`);
    const data = record.original;
    return {
      ...this.newMessage(this.channel(record.channelId), this.bot, ''),
      id: (data.id as string | undefined) ?? this.snowflake(),
      content: (data.content as string | undefined) ?? '',
      components: (data.components as Record<string, unknown>[] | undefined) ?? [],
      flags: 64,
    };
  }

  /** Resolves when `check` holds; checked after every fake event and every 5 ms. */
  async until<T>(check: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 5);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.events.once('change', done);
      });
    }
  }

  /** Channel types for the gateway: a channel by id from the guilds or the DMs. */
  channel(channelId: string): ApiChannel {
    for (const guild of this.guilds) {
      const found = [...guild.channels, ...guild.threads].find((c) => c.id === channelId);
      if (found) return found;
    }
    const dm = this.dmChannels.get(channelId);
    if (dm) return dm;
    throw new Error(`fake discord: no channel ${channelId}`);
  }

  dmChannel(of: ApiUser): ApiChannel {
    this.users.set(of.id, of);
    const existing = [...this.dmChannels.values()].find((c) => c.recipients?.[0]?.id === of.id);
    if (existing) return existing;
    const channel: ApiChannel = {
      id: this.snowflake(),
      type: 1,
      recipients: [of],
      last_message_id: null,
      flags: 0,
    };
    this.dmChannels.set(channel.id, channel);
    return channel;
  }

  snowflake(): string {
    this.idCounter += 1n;
    return (
      ((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) |
      (this.idCounter & 0x3fffffn)
    ).toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Gateway

  private onGateway(socket: WebSocket): void {
    const session: Session = { socket, intents: 0, shard: [0, 1], seq: 0, heartbeats: 0 };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('message', (raw) => this.onFrame(session, JSON.parse(String(raw))));
    this.send(session, { op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs } });
  }

  private onFrame(session: Session, frame: { op: number; d: unknown }): void {
    switch (frame.op) {
      case 1:
        session.heartbeats += 1;
        this.send(session, { op: 11 });
        break;
      case 2:
        this.identify(
          session,
          frame.d as { token: string; intents: number; shard?: [number, number] },
        );
        break;
      case 6:
        this.send(session, { op: 9, d: false });
        break;
    }
    this.changed();
  }

  private identify(
    session: Session,
    d: { token: string; intents: number; shard?: [number, number] },
  ): void {
    if (d.token !== this.token) return this.refuse(session, 4004, 'Authentication failed.');
    if (d.intents & INTENT.MessageContent && !this.messageContentEnabled) {
      return this.refuse(session, 4014, 'Disallowed intent(s).');
    }
    session.intents = d.intents;
    session.shard = d.shard ?? [0, 1];
    this.identifies.push({ intents: d.intents, shard: session.shard });

    const guilds = this.guilds.filter(
      (g) => this.shardOf(g.id, session.shard[1]) === session.shard[0],
    );
    this.dispatchTo(session, 'READY', {
      v: 10,
      user: this.bot,
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: `session-${session.shard[0]}-${this.snowflake()}`,
      resume_gateway_url: this.gatewayUrl,
      shard: session.shard,
      application: { id: this.applicationId, flags: this.applicationFlags() },
    });
    if (session.intents & INTENT.Guilds) {
      for (const guild of guilds)
        this.dispatchTo(session, 'GUILD_CREATE', this.guildPayload(guild));
    }
  }

  private refuse(session: Session, code: number, reason: string): void {
    this.closes.push(code);
    session.socket.close(code, reason);
  }

  private shardOf(guildId: string | undefined, count: number): number {
    if (!guildId) return 0;
    return Number((BigInt(guildId) >> 22n) % BigInt(count));
  }

  private applicationFlags(): number {
    // GATEWAY_MESSAGE_CONTENT_LIMITED (1 << 19): the switch for bots in fewer than 100 servers.
    return this.messageContentEnabled ? 1 << 19 : 0;
  }

  private guildPayload(guild: FakeGuild): Record<string, unknown> {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      owner_id: '1',
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [{ id: guild.id, name: '@everyone' }, ...guild.roles].map((role, position) => ({
        ...role,
        color: 0,
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position,
        permissions: '0',
        managed: false,
        mentionable: false,
        flags: 0,
      })),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      joined_at: new Date(0).toISOString(),
      large: false,
      unavailable: false,
      member_count: 2,
      voice_states: [],
      members: [this.member(this.bot, [])],
      channels: guild.channels,
      threads: guild.threads,
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  private member(who: ApiUser, roles: string[]): Record<string, unknown> {
    return {
      user: who,
      roles,
      nick: null,
      avatar: null,
      joined_at: new Date(0).toISOString(),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
      permissions: '0',
    };
  }

  private send(session: Session, frame: Record<string, unknown>): void {
    session.socket.send(JSON.stringify({ s: null, t: null, ...frame }));
  }

  private dispatchTo(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    this.send(session, { op: 0, t, s: session.seq, d });
  }

  /** To every session whose shard holds `guildId` (DMs go to shard 0) and has `intent`. */
  private dispatch(
    t: string,
    d: unknown | ((session: Session) => unknown),
    guildId: string | undefined,
    intent: number,
  ): void {
    for (const session of this.sessions) {
      if (!(session.intents & intent)) continue;
      if (this.shardOf(guildId, session.shard[1]) !== session.shard[0]) continue;
      this.dispatchTo(
        session,
        t,
        typeof d === 'function' ? (d as (s: Session) => unknown)(session) : d,
      );
    }
    this.changed();
  }

  private dispatchMessage(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: ApiMessage): void {
    const intent = message.guild_id ? INTENT.GuildMessages : INTENT.DirectMessages;
    const payload = (session: Session) => this.asSeenBy(session, message);
    this.dispatch(t, payload, message.guild_id, intent);
    if (t === 'MESSAGE_CREATE') this.echo(message);
  }

  /** Without Message Content, a guild message is delivered empty unless it concerns the bot. */
  private asSeenBy(session: Session, message: ApiMessage): Record<string, unknown> {
    const { files: _files, ...wire } = message;
    if (session.intents & INTENT.MessageContent || !message.guild_id) return wire;
    const concernsBot =
      message.author.id === this.bot.id || message.mentions.some((m) => m.id === this.bot.id);
    if (concernsBot) return wire;
    return { ...wire, content: '', embeds: [], attachments: [], components: [] };
  }

  private echo(message: ApiMessage): void {
    if (message.author.bot || message.webhook_id) return;
    for (const echo of this.echoes.filter((e) => e.channelId === message.channel_id)) {
      queueMicrotask(() => this.post(message.channel_id, echo.bot, message.content));
    }
  }

  private interact(
    type: number,
    channelId: string,
    who: ApiUser,
    roles: string[],
    extra: { data: Record<string, unknown>; message?: ApiMessage },
  ): string {
    this.users.set(who.id, who);
    const channel = this.channel(channelId);
    const id = this.snowflake();
    const token = `interaction-token-${id}`;
    const guildId = channel.guild_id;
    const payload = {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      channel_id: channelId,
      channel,
      locale: 'en-US',
      app_permissions: '2248473465835073',
      entitlements: [],
      authorizing_integration_owners: guildId ? { '0': guildId } : { '1': who.id },
      context: guildId ? 0 : 1,
      attachment_size_limit: 10_485_760,
      ...(guildId
        ? { guild_id: guildId, guild_locale: 'en-US', member: this.member(who, roles) }
        : { user: who }),
      ...extra,
    };
    this.interactions.set(id, {
      id,
      token,
      type,
      userId: who.id,
      channelId,
      dispatchedAt: Date.now(),
      callbacks: [],
      followUps: [],
      message: extra.message,
    });
    this.dispatch('INTERACTION_CREATE', payload, guildId, 0xffffffff);
    // INTERACTION_CREATE needs no intent: every session of the right shard gets it.
    return id;
  }

  // ---------------------------------------------------------------------------------------------
  // REST

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/api\/v10/, '');
    const raw = await readBody(req);
    const body = await parseBody(req, raw);
    this.requests.push({ method: req.method ?? 'GET', path, at: Date.now(), body: body.json });

    try {
      const answer = this.route(req.method ?? 'GET', path, req.headers.authorization, body, url);
      reply(res, answer.status, answer.body);
    } catch (err) {
      reply(res, 500, { message: String(err), code: 0 });
    }
    this.changed();
  }

  private route(
    method: string,
    path: string,
    auth: string | undefined,
    body: ParsedBody,
    url: URL,
  ): { status: number; body?: unknown } {
    const parts = path
      .split('/')
      .filter(Boolean)
      .map((part) => decodeURIComponent(part));
    const route = `${method} ${path}`;

    // Interaction callbacks and webhooks authenticate with the interaction token, not the bot's.
    if (parts[0] === 'interactions' && method === 'POST') return this.callback(parts, body, url);
    if (parts[0] === 'webhooks') return this.webhook(method, parts, body);

    if (auth !== `Bot ${this.token}`)
      return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    if (route === 'GET /gateway/bot') {
      return {
        status: 200,
        body: {
          url: this.gatewayUrl,
          shards: this.recommendedShards,
          session_start_limit: {
            total: 1000,
            remaining: 1000,
            reset_after: 0,
            max_concurrency: this.maxConcurrency,
          },
        },
      };
    }
    if (route === 'GET /users/@me') return { status: 200, body: this.bot };
    if (route === 'GET /applications/@me') {
      return {
        status: 200,
        body: {
          id: this.applicationId,
          name: 'Parley',
          flags: this.applicationFlags(),
          bot: this.bot,
        },
      };
    }
    if (parts[0] === 'applications' && method === 'PUT') return this.putCommands(parts, body);
    if (parts[0] === 'channels') return this.channelRoute(method, parts, body);
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  }

  private channelRoute(method: string, parts: string[], body: ParsedBody) {
    const [, channelId, sub, messageId] = parts;
    let channel: ApiChannel;
    try {
      channel = this.channel(channelId);
    } catch {
      return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
    }
    if (method === 'GET' && !sub) return { status: 200, body: channel };
    if (sub !== 'messages') return { status: 404, body: { message: '404: Not Found', code: 0 } };

    if (method === 'GET' && messageId) {
      const found = this.messages(channelId).find((m) => m.id === messageId);
      return found
        ? { status: 200, body: stripFiles(found) }
        : { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    }
    if (method === 'POST' && !messageId) return this.createBotMessage(channel, body);
    if (method === 'PATCH' && messageId) {
      const found = this.messages(channelId).find((m) => m.id === messageId);
      if (!found) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      const updated = {
        ...found,
        ...pickMessageFields(body.json),
        edited_timestamp: new Date().toISOString(),
      };
      this.replace(updated);
      this.dispatchMessage('MESSAGE_UPDATE', updated);
      return { status: 200, body: stripFiles(updated) };
    }
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  }

  private createBotMessage(channel: ApiChannel, body: ParsedBody) {
    const json = (body.json ?? {}) as Record<string, unknown>;
    const nonce = json.nonce as string | undefined;
    if (json.enforce_nonce && nonce !== undefined) {
      const same = this.messages(channel.id).find(
        (m) => m.author.id === this.bot.id && m.nonce === nonce,
      );
      if (same) return { status: 200, body: stripFiles(same) };
    }
    const content = (json.content as string | undefined) ?? '';
    if (content.length > 2000) {
      return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
    }

    const message: ApiMessage = {
      ...this.newMessage(channel, this.bot, content),
      ...pickMessageFields(json),
      ...(nonce === undefined ? {} : { nonce }),
    };
    const reference = json.message_reference as { message_id?: string } | undefined;
    if (reference?.message_id) {
      const referenced = this.messages(channel.id).find((m) => m.id === reference.message_id);
      message.type = 19;
      message.message_reference = {
        type: 0,
        message_id: reference.message_id,
        channel_id: channel.id,
        ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
      };
      message.referenced_message = referenced ? stripFiles(referenced) : null;
    }
    this.attachFiles(message, json, body.files);
    this.store(message);
    this.dispatchMessage('MESSAGE_CREATE', message);
    return { status: 200, body: stripFiles(message) };
  }

  private attachFiles(
    message: ApiMessage,
    json: Record<string, unknown>,
    files: { name: string; bytes: Uint8Array; type: string }[],
  ): void {
    if (files.length === 0) return;
    const described =
      (json.attachments as { id: number | string; filename: string }[] | undefined) ?? [];
    message.files = {};
    message.attachments = files.map((file, index) => {
      const filename = described[index]?.filename ?? file.name;
      message.files![filename] = file.bytes;
      const id = this.snowflake();
      return {
        id,
        filename,
        size: file.bytes.length,
        content_type: file.type,
        url: `http://127.0.0.1:${this.port}/attachments/${id}/${filename}`,
        proxy_url: `http://127.0.0.1:${this.port}/attachments/${id}/${filename}`,
      };
    });
  }

  private callback(parts: string[], body: ParsedBody, url: URL) {
    const [, id, token] = parts;
    const record = this.interactions.get(id);
    if (!record || record.token !== token) {
      return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
    }
    const json = (body.json ?? {}) as { type: number; data?: Record<string, unknown> };
    const status = record.callbacks.length > 0 ? 400 : 204;
    record.callbacks.push({ type: json.type, data: json.data, at: Date.now(), status });
    if (status === 400) {
      return {
        status,
        body: { message: 'Interaction has already been acknowledged.', code: 40060 },
      };
    }

    if (json.type === 4 || json.type === 7) {
      record.original = {
        id: record.message?.id ?? this.snowflake(),
        ...json.data,
        files: body.files,
      };
    }
    if (json.type === 5) record.original = { id: this.snowflake(), content: '' };
    if (json.type === 6 && record.message) record.original = { ...record.message };
    if (url.searchParams.get('with_response') === 'true') {
      return {
        status: 200,
        body: { interaction: { id, type: record.type }, resource: { type: json.type } },
      };
    }
    return { status: 204 };
  }

  private webhook(method: string, parts: string[], body: ParsedBody) {
    const [, applicationId, token, messages, target] = parts;
    const record = [...this.interactions.values()].find((r) => r.token === token);
    if (!record || applicationId !== this.applicationId) {
      return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
    }
    if (record.callbacks.length === 0) {
      return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    }
    const json = { ...((body.json ?? {}) as Record<string, unknown>), files: body.files };

    if (method === 'PATCH' && messages === 'messages' && target === '@original') {
      record.original = { ...(record.original ?? {}), ...json };
      return { status: 200, body: this.webhookMessage(record, record.original) };
    }
    if (method === 'POST' && !messages) {
      const followUp = { id: this.snowflake(), ...json };
      record.followUps.push(followUp);
      return { status: 200, body: this.webhookMessage(record, followUp) };
    }
    if (method === 'PATCH' && messages === 'messages' && target) {
      const followUp = record.followUps.find((f) => f.id === target);
      if (followUp) Object.assign(followUp, json);
      return { status: 200, body: this.webhookMessage(record, followUp ?? json) };
    }
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  }

  private webhookMessage(record: InteractionRecord, data: Record<string, unknown>) {
    const channel = this.channel(record.channelId);
    return {
      ...stripFiles(this.newMessage(channel, this.bot, '')),
      id: (data.id as string | undefined) ?? this.snowflake(),
      content: (data.content as string | undefined) ?? '',
      components: (data.components as unknown[] | undefined) ?? [],
      embeds: (data.embeds as unknown[] | undefined) ?? [],
      webhook_id: this.applicationId,
      application_id: this.applicationId,
      flags: (data.flags as number | undefined) ?? 0,
    };
  }

  private putCommands(parts: string[], body: ParsedBody) {
    // applications/{app}/commands or applications/{app}/guilds/{guild}/commands
    const [, applicationId, second, guildId] = parts;
    if (applicationId !== this.applicationId) {
      return { status: 404, body: { message: 'Unknown Application', code: 10002 } };
    }
    const list = ((body.json as Record<string, unknown>[]) ?? []).map((command) => ({
      ...command,
      id: this.snowflake(),
      application_id: this.applicationId,
      version: this.snowflake(),
      ...(second === 'guilds' ? { guild_id: guildId } : {}),
    }));
    this.commands.push({ scope: second === 'guilds' ? `guild:${guildId}` : 'global', body: list });
    return { status: 200, body: list };
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  private newMessage(channel: ApiChannel, author: ApiUser, content: string): ApiMessage {
    const mentioned = [...content.matchAll(/<@!?(\d+)>/g)]
      .map((match) => this.users.get(match[1]))
      .filter((found): found is ApiUser => found !== undefined);
    return {
      id: this.snowflake(),
      channel_id: channel.id,
      ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
      author,
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: mentioned,
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      flags: 0,
      components: [],
    };
  }

  private store(message: ApiMessage): void {
    const list = this.channelMessages.get(message.channel_id) ?? [];
    list.push(message);
    this.channelMessages.set(message.channel_id, list);
  }

  private replace(message: ApiMessage): void {
    const list = this.channelMessages.get(message.channel_id) ?? [];
    this.channelMessages.set(
      message.channel_id,
      list.map((m) => (m.id === message.id ? message : m)),
    );
  }

  private changed(): void {
    this.events.emit('change');
  }
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return new FakeDiscord(options).listen();
}

interface ParsedBody {
  json?: unknown;
  files: { name: string; bytes: Uint8Array; type: string }[];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON bodies, and multipart bodies as discord.js sends them (payload_json and files[n]). */
async function parseBody(req: IncomingMessage, raw: Buffer): Promise<ParsedBody> {
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { files: [] };
  if (type.startsWith('application/json'))
    return { json: JSON.parse(raw.toString('utf8')), files: [] };
  if (!type.startsWith('multipart/form-data')) return { files: [] };

  const form = await new Request('http://127.0.0.1/', {
    method: 'POST',
    headers: { 'content-type': type },
    body: raw,
  }).formData();
  const files: ParsedBody['files'] = [];
  let json: unknown;
  for (const [name, value] of form.entries()) {
    if (name === 'payload_json') json = JSON.parse(String(value));
    else if (typeof value !== 'string') {
      files.push({
        name: value.name,
        bytes: new Uint8Array(await value.arrayBuffer()),
        type: value.type,
      });
    }
  }
  return { json, files };
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function stripFiles(message: ApiMessage): ApiMessage {
  const { files: _files, ...rest } = message;
  return rest;
}

function pickMessageFields(json: unknown): Partial<ApiMessage> {
  const source = (json ?? {}) as Record<string, unknown>;
  const picked: Partial<ApiMessage> = {};
  if (typeof source.content === 'string') picked.content = source.content;
  if (Array.isArray(source.components))
    picked.components = source.components as ApiMessage['components'];
  if (Array.isArray(source.embeds)) picked.embeds = source.embeds as ApiMessage['embeds'];
  return picked;
}
