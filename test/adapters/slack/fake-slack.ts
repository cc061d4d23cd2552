import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A small Slack on 127.0.0.1 for the adapter tests. Towards Parley it is the Web API (the methods
 * Parley calls, with the response shapes Slack documents), the file upload URL and response_url
 * endpoints, and the Socket Mode websocket. Towards the bot's HTTP endpoint it is Slack's
 * delivery side: signed Events API, interactivity and slash-command requests. It keeps the
 * messages of each channel, so a scenario (a user writes, Parley answers, an echo bot repeats)
 * plays out as it would in a workspace: every message posted is delivered back as an event.
 */

export const TEAM_ID = 'T_FAKE';
export const BOT_USER_ID = 'U_PARLEY';
export const BOT_ID = 'B_PARLEY';
export const APP_ID = 'A_PARLEY';

export interface FakeSlackOptions {
  botToken: string;
  appToken?: string;
  signingSecret: string;
  /** What the app's manifest grants: calls outside the scopes get `missing_scope`. */
  app: { botScopes: readonly string[]; botEvents: readonly string[]; commands: readonly string[] };
}

/** Bot scope each Web API method needs (Slack's method reference); absent means none. */
const METHOD_SCOPES: Record<string, string> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
};

/** The subscription a message-like event arrives under. */
function subscriptionOf(event: Record<string, unknown>): string {
  if (event.type !== 'message') return String(event.type);
  const kind = { channel: 'channels', group: 'groups', im: 'im', mpim: 'mpim' }[
    String(event.channel_type)
  ];
  return `message.${kind ?? 'channels'}`;
}

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  /** HTTP status the fake answered with (429 for a rate-limited call). */
  status: number;
  /** performance.now() when the call arrived. */
  at: number;
}

export interface SlackMessage {
  type: 'message';
  channel: string;
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  thread_ts?: string;
  blocks?: Record<string, unknown>[];
  attachments?: Record<string, unknown>[];
  files?: Record<string, unknown>[];
  edited?: { user: string; ts: string };
}

export interface Delivery {
  status: number;
  body: string;
  /** Milliseconds from sending the request to the end of the response. */
  ms: number;
  headers: Headers;
}

interface Upload {
  filename: string;
  length: number;
  bytes?: Buffer;
  completed: boolean;
  title?: string;
  channel?: string;
  threadTs?: string;
}

interface OpenedView {
  id: string;
  view: Record<string, unknown>;
  userId: string;
}

type Scripted =
  | { kind: 'rate-limit'; retryAfterS: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'error'; error: string };

type Listener = (message: SlackMessage) => void;

export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly responseUrlPosts: { path: string; body: Record<string, unknown> }[] = [];
  readonly uploads = new Map<string, Upload>();
  readonly views: OpenedView[] = [];
  /** Every message of every channel, in posting order. */
  readonly messages: SlackMessage[] = [];
  /** Where signed HTTP requests go (the bot's `POST /slack/events`). */
  eventsUrl = '';
  /** When true, each message posted is delivered back to Parley as a `message` event. */
  deliverPostsAsEvents = true;

  private server!: Server;
  private sockets!: WebSocketServer;
  private socket: WebSocket | undefined;
  private readonly acks = new Map<string, (ack: Record<string, unknown>) => void>();
  private readonly scripted = new Map<string, Scripted[]>();
  private readonly triggers = new Map<string, { at: number; userId: string }>();
  private readonly listeners: Listener[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private deliveries = 0;
  private clock = 1_700_001_000;
  private seq = 0;

  private constructor(private readonly options: FakeSlackOptions) {}

  static async start(options: FakeSlackOptions): Promise<FakeSlack> {
    const fake = new FakeSlack(options);
    await fake.listen();
    return fake;
  }

  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Grows with every API call, upload, response_url post and delivery: progress, for settling. */
  get traffic(): number {
    return this.calls.length + this.responseUrlPosts.length + this.deliveries;
  }

  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((call) => call.method === method && call.status === 200);
  }

  /** The next call of `method` is answered 429 with Retry-After, late, or with a Slack error. */
  script(method: string, behaviour: Scripted): void {
    const queue = this.scripted.get(method) ?? [];
    queue.push(behaviour);
    this.scripted.set(method, queue);
  }

  /** Called for every message posted in any channel (echo bots, assertions). */
  onMessage(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Resolves when every delivery the fake started has been answered. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    this.socket?.close();
    this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- Slack delivering to the bot -------------------------------------------------------

  /** A person writes in a channel: the message is kept and delivered as a `message` event. */
  userSays(fields: Partial<SlackMessage> & { channel: string; user: string; text: string }) {
    const message: SlackMessage = { type: 'message', ts: this.nextTs(), ...fields };
    this.keep(message);
    return message;
  }

  /** Another app posts (an echo bot): kept and delivered like any message. */
  botSays(fields: Partial<SlackMessage> & { channel: string; bot_id: string; text: string }) {
    const message: SlackMessage = { type: 'message', ts: this.nextTs(), ...fields };
    this.keep(message);
    return message;
  }

  /** Posts a signed `event_callback` with this event; resolves with the bot's HTTP answer. */
  deliverEvent(
    event: Record<string, unknown>,
    options: {
      eventId?: string;
      retryNum?: number;
      retryReason?: string;
      signingSecret?: string;
      timestampS?: number;
    } = {},
  ): Promise<Delivery> {
    if (!this.subscribed(event)) {
      throw new Error(`the app manifest does not subscribe to ${subscriptionOf(event)}`);
    }
    const body = eventCallback(event, options.eventId ?? this.nextEventId());
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
    }
    return this.post(JSON.stringify(body), headers, options);
  }

  /** Delivers a body exactly as given, signed (or not) as asked. */
  post(
    raw: string,
    headers: Record<string, string>,
    options: { signingSecret?: string; timestampS?: number; unsigned?: boolean } = {},
  ): Promise<Delivery> {
    const timestamp = options.timestampS ?? Math.floor(Date.now() / 1000);
    const signed = options.unsigned
      ? headers
      : {
          ...headers,
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': sign(
            options.signingSecret ?? this.options.signingSecret,
            timestamp,
            raw,
          ),
        };
    return this.track(sendTo(this.eventsUrl, raw, signed));
  }

  /** A person presses a button on one of Parley's messages (`block_actions`). */
  clickButton(message: SlackMessage, actionId: string, userId: string): Promise<Delivery> {
    const { block, element } = findButton(message, actionId);
    const payload = {
      type: 'block_actions',
      user: {
        id: userId,
        username: userId.toLowerCase(),
        name: userId.toLowerCase(),
        team_id: TEAM_ID,
      },
      api_app_id: APP_ID,
      token: 'unused-verification-token',
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
        ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
      },
      trigger_id: this.issueTrigger(userId),
      team: { id: TEAM_ID, domain: 'fake' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: message.channel, name: message.channel.toLowerCase() },
      message: { ...message, channel: undefined, team: TEAM_ID },
      state: { values: {} },
      response_url: `${this.baseUrl}/actions/${TEAM_ID}/${++this.seq}/secret`,
      actions: [
        {
          action_id: actionId,
          block_id: block.block_id,
          text: element.text,
          value: element.value,
          type: 'button',
          action_ts: `${this.clock}.000001`,
        },
      ],
    };
    return this.postForm({ payload: JSON.stringify(payload) });
  }

  /**
   * A person fills in an opened modal and presses submit (`view_submission`). `answers` maps an
   * input block's label to what is typed (a text box) or picked (a select's option value).
   */
  submitView(opened: OpenedView, answers: Record<string, string>): Promise<Delivery> {
    const blocks = opened.view.blocks as Record<string, any>[];
    const values: Record<string, Record<string, unknown>> = {};
    for (const block of blocks.filter((b) => b.type === 'input')) {
      values[block.block_id] = {
        [block.element.action_id]: inputValue(block, answers[block.label.text]),
      };
    }
    const payload = {
      type: 'view_submission',
      team: { id: TEAM_ID, domain: 'fake' },
      user: { id: opened.userId, username: 'user', name: 'user', team_id: TEAM_ID },
      api_app_id: APP_ID,
      token: 'unused-verification-token',
      trigger_id: this.issueTrigger(opened.userId),
      view: {
        ...opened.view,
        id: opened.id,
        team_id: TEAM_ID,
        state: { values },
        hash: `${this.clock}.hash`,
        app_id: APP_ID,
        bot_id: BOT_ID,
        root_view_id: opened.id,
        previous_view_id: null,
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    return this.postForm({ payload: JSON.stringify(payload) });
  }

  /** A person runs a slash command; the request carries a fresh response_url. */
  runCommand(userId: string, channel: string, text: string): Promise<Delivery> {
    if (!this.options.app.commands.includes('/parley'))
      throw new Error('the manifest has no /parley');
    return this.postForm({
      token: 'unused-verification-token',
      team_id: TEAM_ID,
      team_domain: 'fake',
      channel_id: channel,
      channel_name: channel.toLowerCase(),
      user_id: userId,
      user_name: userId.toLowerCase(),
      command: '/parley',
      text,
      api_app_id: APP_ID,
      is_enterprise_install: 'false',
      response_url: `${this.baseUrl}/commands/${TEAM_ID}/${++this.seq}/secret`,
      trigger_id: this.issueTrigger(userId),
    });
  }

  private postForm(fields: Record<string, string>): Promise<Delivery> {
    const raw = new URLSearchParams(fields).toString();
    return this.post(raw, { 'content-type': 'application/x-www-form-urlencoded' });
  }

  // ---- Socket Mode ---------------------------------------------------------------------

  get socketConnected(): boolean {
    return this.socket !== undefined && this.socket.readyState === this.socket.OPEN;
  }

  /** Sends one envelope over the websocket and resolves with the app's ack for it. */
  sendEnvelope(
    type: 'events_api' | 'slash_commands' | 'interactive',
    payload: Record<string, unknown>,
  ): Promise<{ ack: Record<string, unknown>; ms: number }> {
    const socket = this.socket;
    if (!socket) throw new Error('no Socket Mode connection');
    const envelopeId = randomUUID();
    const started = performance.now();
    const acked = new Promise<Record<string, unknown>>((resolve) =>
      this.acks.set(envelopeId, resolve),
    );
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        payload,
        type,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: 0,
        retry_reason: '',
      }),
    );
    return this.track(acked.then((ack) => ({ ack, ms: performance.now() - started })));
  }

  eventEnvelope(event: Record<string, unknown>, eventId = this.nextEventId()) {
    return eventCallback(event, eventId);
  }

  // ---- the Web API -----------------------------------------------------------------------

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.route(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    this.sockets = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/link')) return socket.destroy();
      this.sockets.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  private onSocket(ws: WebSocket): void {
    this.socket = ws;
    ws.on('message', (data) => {
      const ack = JSON.parse(String(data)) as Record<string, unknown>;
      const resolve = this.acks.get(String(ack.envelope_id));
      this.acks.delete(String(ack.envelope_id));
      resolve?.(ack);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: APP_ID },
      }),
    );
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const raw = await readAll(req);

    if (url.startsWith('/api/')) return this.api(url.slice(5).split('?')[0], req, raw, res);
    if (url.startsWith('/upload/v1/')) return this.receiveUpload(url.slice(11), raw, res);
    if (url.startsWith('/commands/') || url.startsWith('/actions/')) {
      this.responseUrlPosts.push({ path: url, body: JSON.parse(raw.toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    res.writeHead(404).end();
  }

  private async api(method: string, req: IncomingMessage, raw: Buffer, res: ServerResponse) {
    const args = parseArgs(req.headers['content-type'], raw);
    const scripted = this.scripted.get(method)?.shift();

    if (scripted?.kind === 'rate-limit') {
      this.calls.push({ method, args, status: 429, at: performance.now() });
      res.writeHead(429, { 'retry-after': String(scripted.retryAfterS) }).end();
      return;
    }
    this.calls.push({ method, args, status: 200, at: performance.now() });
    // Slack does the work even when the caller has given up waiting (the case C13 is about).
    const result =
      scripted?.kind === 'error'
        ? { ok: false, error: scripted.error }
        : this.answer(method, args, bearer(req.headers.authorization));
    if (scripted?.kind === 'delay') await new Promise((r) => setTimeout(r, scripted.ms));

    if (!res.destroyed) {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(result));
    }
  }

  private answer(method: string, args: Record<string, any>, token: string | undefined) {
    if (method === 'apps.connections.open') {
      if (token !== this.options.appToken) return { ok: false, error: 'invalid_auth' };
      return {
        ok: true,
        url: `ws://127.0.0.1:${this.port()}/link/?ticket=${randomUUID()}&app_id=${APP_ID}`,
      };
    }
    if (token !== this.options.botToken) return { ok: false, error: 'invalid_auth' };
    const needed = METHOD_SCOPES[method];
    if (needed && !this.options.app.botScopes.includes(needed)) {
      return {
        ok: false,
        error: 'missing_scope',
        needed,
        provided: this.options.app.botScopes.join(','),
      };
    }

    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake Shop',
          user: 'parley',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        };
      case 'chat.postMessage':
        return this.postMessage(args);
      case 'chat.update':
        return this.updateMessage(args);
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'views.open':
        return this.openView(args);
      case 'files.getUploadURLExternal':
        return this.uploadSlot(args);
      case 'files.completeUploadExternal':
        return this.completeUploads(args);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private postMessage(args: Record<string, any>) {
    const problem = checkBlocks(args.blocks);
    if (problem) return { ok: false, error: 'invalid_blocks', errors: [problem] };
    if (!args.channel || (!args.text && !args.blocks)) return { ok: false, error: 'no_text' };

    const message: SlackMessage = {
      type: 'message',
      channel: args.channel,
      ts: this.nextTs(),
      text: args.text ?? '',
      user: BOT_USER_ID,
      bot_id: BOT_ID,
      ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}),
      ...(args.blocks ? { blocks: args.blocks } : {}),
    };
    this.keep(message);
    const { channel, ...shown } = message;
    return {
      ok: true,
      channel,
      ts: message.ts,
      message: { ...shown, app_id: APP_ID, team: TEAM_ID, bot_profile: botProfile() },
    };
  }

  private updateMessage(args: Record<string, any>) {
    const message = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
    if (!message) return { ok: false, error: 'message_not_found' };
    if (message.bot_id !== BOT_ID) return { ok: false, error: 'cant_update_message' };
    const problem = checkBlocks(args.blocks);
    if (problem) return { ok: false, error: 'invalid_blocks', errors: [problem] };

    if (args.text !== undefined) message.text = args.text;
    if (args.blocks !== undefined) message.blocks = args.blocks;
    const { channel, ...shown } = message;
    return {
      ok: true,
      channel,
      ts: message.ts,
      text: message.text,
      message: { ...shown, bot_profile: botProfile() },
    };
  }

  private openView(args: Record<string, any>) {
    const issued = this.triggers.get(args.trigger_id);
    if (issued === undefined) return { ok: false, error: 'invalid_trigger_id' };
    if (Date.now() - issued.at > 3000) return { ok: false, error: 'expired_trigger_id' };

    const view = args.view as Record<string, any>;
    const problem = checkView(view);
    if (problem)
      return { ok: false, error: 'invalid_arguments', response_metadata: { messages: [problem] } };

    const id = `V${String(++this.seq).padStart(8, '0')}`;
    this.views.push({ id, view, userId: issued.userId });
    return {
      ok: true,
      view: {
        id,
        team_id: TEAM_ID,
        ...view,
        state: { values: {} },
        hash: `${this.clock}.h`,
        app_id: APP_ID,
        bot_id: BOT_ID,
      },
    };
  }

  private uploadSlot(args: Record<string, any>) {
    const length = Number(args.length);
    if (!args.filename || !Number.isInteger(length) || length <= 0) {
      return { ok: false, error: 'invalid_arguments' };
    }
    const fileId = `F${String(++this.seq).padStart(8, '0')}`;
    this.uploads.set(fileId, { filename: args.filename, length, completed: false });
    return { ok: true, upload_url: `${this.baseUrl}/upload/v1/${fileId}`, file_id: fileId };
  }

  private receiveUpload(fileId: string, raw: Buffer, res: ServerResponse): void {
    const upload = this.uploads.get(fileId);
    if (!upload || raw.length !== upload.length) {
      res.writeHead(400).end('bad upload');
      return;
    }
    upload.bytes = raw;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${raw.length}`);
  }

  private completeUploads(args: Record<string, any>) {
    const files = (args.files ?? []) as { id: string; title?: string }[];
    for (const file of files) {
      const upload = this.uploads.get(file.id);
      if (!upload?.bytes || upload.completed) return { ok: false, error: 'invalid_file_id' };
    }
    const shared = files.map((file) => {
      const upload = this.uploads.get(file.id) as Upload;
      Object.assign(upload, {
        completed: true,
        title: file.title,
        channel: args.channel_id,
        threadTs: args.thread_ts,
      });
      return {
        id: file.id,
        name: upload.filename,
        title: file.title ?? upload.filename,
        size: upload.length,
      };
    });
    return { ok: true, files: shared };
  }

  // ---- helpers -----------------------------------------------------------------------------

  private keep(message: SlackMessage): void {
    this.messages.push(message);
    for (const listener of this.listeners) listener(message);
    if (
      !this.deliverPostsAsEvents ||
      !this.subscribed(message as unknown as Record<string, unknown>)
    ) {
      return;
    }

    const event = {
      ...message,
      event_ts: message.ts,
      channel_type: channelType(message.channel),
      team: TEAM_ID,
    };
    // Over the websocket when the app is connected in Socket Mode, else to its HTTP endpoint.
    if (this.socketConnected) {
      setImmediate(() => void this.sendEnvelope('events_api', this.eventEnvelope(event)));
    } else if (this.eventsUrl) {
      setImmediate(() => void this.deliverEvent(event));
    }
  }

  private subscribed(event: Record<string, unknown>): boolean {
    const probe = event.channel_type
      ? event
      : { ...event, channel_type: channelType(String(event.channel)) };
    return this.options.app.botEvents.includes(subscriptionOf(probe));
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.deliveries += 1;
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return work;
  }

  /** Triggers expire after 3 s, as Slack's do; the user is kept for the view it opens. */
  private issueTrigger(userId: string): string {
    const trigger = `${this.clock}.${++this.seq}.${randomUUID().slice(0, 8)}`;
    this.triggers.set(trigger, { at: Date.now(), userId });
    return trigger;
  }

  latestView(): OpenedView {
    const view = this.views.at(-1);
    if (!view) throw new Error('no view was opened');
    return view;
  }

  private nextTs(): string {
    this.clock += 1;
    return `${this.clock}.${String(++this.seq).padStart(6, '0')}`;
  }

  private nextEventId(): string {
    return `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
  }

  private port(): number {
    return (this.server.address() as AddressInfo).port;
  }
}

/** Slack's channel id prefixes: D for DMs, G for (old) private channels, C otherwise. */
function channelType(channel: string): string {
  if (channel.startsWith('D')) return 'im';
  return channel.startsWith('G') ? 'group' : 'channel';
}

/** Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
export function sign(secret: string, timestampS: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampS}:${body}`).digest('hex')}`;
}

export function eventCallback(event: Record<string, unknown>, eventId: string) {
  return {
    token: 'unused-verification-token',
    team_id: TEAM_ID,
    context_team_id: TEAM_ID,
    context_enterprise_id: null,
    api_app_id: APP_ID,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Number(event.event_ts ?? event.ts ?? Date.now() / 1000)),
    authorizations: [
      {
        enterprise_id: null,
        team_id: TEAM_ID,
        user_id: BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(eventId).toString('base64')}`,
  };
}

async function sendTo(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<Delivery> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', body, headers });
  const text = await response.text();
  return {
    status: response.status,
    body: text,
    ms: performance.now() - started,
    headers: response.headers,
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata']);

/** web-api 8.2 sends a form with objects JSON-encoded; a JSON body is accepted too. */
function parseArgs(contentType: string | undefined, raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8');
  if ((contentType ?? '').startsWith('application/json')) return JSON.parse(text || '{}');
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = JSON_FIELDS.has(key) ? JSON.parse(value) : value;
  }
  return args;
}

function bearer(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

function botProfile() {
  return { id: BOT_ID, app_id: APP_ID, name: 'Parley', deleted: false, team_id: TEAM_ID };
}

function findButton(message: SlackMessage, actionId: string) {
  for (const block of (message.blocks ?? []) as Record<string, any>[]) {
    const element = (block.elements ?? []).find((e: any) => e.action_id === actionId);
    if (element) return { block, element };
  }
  throw new Error(`message ${message.ts} has no button ${actionId}`);
}

function inputValue(block: Record<string, any>, answer: string | undefined) {
  const element = block.element;
  if (element.type === 'static_select') {
    const options = element.options ?? element.option_groups.flatMap((g: any) => g.options);
    const chosen =
      answer === undefined ? element.initial_option : options.find((o: any) => o.value === answer);
    return { type: 'static_select', selected_option: chosen ?? null };
  }
  return { type: element.type, value: answer ?? element.initial_value ?? null };
}

/** The Block Kit limits Slack enforces that Parley could plausibly break. */
function checkBlocks(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  const list = blocks as Record<string, any>[];
  if (list.length > 50) return 'no more than 50 items allowed [json-pointer:/blocks]';
  for (const block of list) {
    if (block.type === 'section' && (block.text?.text?.length ?? 0) > 3000)
      return 'section text too long';
    for (const element of block.elements ?? []) {
      if (element.type === 'button' && (element.value?.length ?? 0) > 2000)
        return 'button value too long';
    }
  }
  return undefined;
}

function checkView(view: Record<string, any>): string | undefined {
  if (view.type !== 'modal') return 'view type must be modal';
  if ((view.title?.text?.length ?? 0) > 24) return 'title must be 24 characters or fewer';
  if ((view.private_metadata?.length ?? 0) > 3000) return 'private_metadata too long';
  if ((view.blocks?.length ?? 0) > 100) return 'no more than 100 blocks';
  for (const block of view.blocks ?? []) {
    if (block.type === 'input' && !block.label) return 'input block needs a label';
    const options = block.element?.options;
    if (options && options.length > 100) return 'no more than 100 options';
  }
  return undefined;
}
