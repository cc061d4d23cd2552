import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { createApp, type ParleyApp } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import { ParleyError } from '../core/errors.js';
import { rootLogger } from '../core/log.js';
import type { CliCommand, CliIo } from './command.js';

/**
 * `parley chat`: talk to Parley in the terminal, through the local adapter's JSON API.
 *
 * Which bot it talks to: `--url` when given; otherwise a bot already running on this machine
 * (http://127.0.0.1:PORT, found through /healthz), because that bot owns the embedded database
 * folder; otherwise it starts Parley in this process on a free loopback port and stops it on exit.
 * One code path (the HTTP API) either way, so the terminal sees exactly what the web page sees.
 */

export interface ChatReply {
  messageId: string | null;
  conversationId: string;
  reply: { text: string; kind: string } | null;
  prediction: {
    intent: { name: string; confidence: number };
    entities: { type: string; value: string; start: number; end: number }[];
    modelVersion: string;
  } | null;
}

export interface FeedbackAnswer {
  status: number;
  feedbackId?: string;
  message?: string;
}

/** A small client for the local adapter's JSON API (also used by scripts/replay.ts). */
export interface LocalApiClient {
  readonly baseUrl: string;
  send(text: string, conversationId?: string, userId?: string): Promise<ChatReply>;
  feedback(body: Record<string, unknown>): Promise<FeedbackAnswer>;
  stats(): Promise<Record<string, any>>;
}

export function createLocalApiClient(baseUrl: string): LocalApiClient {
  const root = baseUrl.replace(/\/+$/, '');

  async function call(path: string, body?: unknown): Promise<{ status: number; data: any }> {
    const response = await fetch(`${root}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    return { status: response.status, data };
  }

  function failure(status: number, data: any): ParleyError {
    const message = data?.error?.message ?? `the bot answered HTTP ${status}`;
    return new ParleyError(status === 503 ? 'STORE_UNAVAILABLE' : 'BAD_REQUEST', message);
  }

  return {
    baseUrl: root,
    async send(text, conversationId, userId) {
      const { status, data } = await call('/api/messages', { text, conversationId, userId });
      if (status !== 200) throw failure(status, data);
      return data as ChatReply;
    },
    async feedback(body) {
      const { status, data } = await call('/api/feedback', body);
      if (status >= 400) throw failure(status, data);
      return { status, feedbackId: data.feedbackId, message: data.message };
    },
    async stats() {
      const { status, data } = await call('/api/stats');
      if (status !== 200) throw failure(status, data);
      return data;
    },
  };
}

export interface ChatSessionOptions {
  client: LocalApiClient;
  input: Readable;
  io: CliIo;
  userId: string;
}

const HELP = [
  'Type a message and press Enter. Commands:',
  '  /up, /down                      thumbs up or down on the last reply',
  '  /fix <intent> [type=value ...]  correct the last reply (values must appear in your message)',
  '  /new                            start a new conversation',
  '  /quit                           leave (Ctrl-D works too)',
].join('\n');

/** The read-eval-print loop; resolves when the input ends or the user types /quit. */
export async function runChatSession(options: ChatSessionOptions): Promise<void> {
  const { client, io, userId } = options;
  const lines = createInterface({ input: options.input, terminal: false });
  let conversationId: string | undefined;
  let last: { messageId: string; text: string } | undefined;

  io.stdout(`${HELP}\n`);
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '/quit') break;
    try {
      if (line === '/new') {
        conversationId = undefined;
        last = undefined;
        io.stdout('(new conversation)\n');
      } else if (line === '/up' || line === '/down' || line.startsWith('/fix')) {
        await giveFeedback(line, last);
      } else if (line.startsWith('/')) {
        io.stdout(`${HELP}\n`);
      } else if (line.length > 0) {
        const answer = await client.send(raw, conversationId, userId);
        conversationId = answer.conversationId;
        last = answer.messageId ? { messageId: answer.messageId, text: raw } : last;
        io.stdout(describeReply(answer));
      }
    } catch (err) {
      io.stdout(`(${err instanceof Error ? err.message : String(err)})\n`);
    }
  }
  lines.close();

  async function giveFeedback(line: string, target: typeof last): Promise<void> {
    if (!target) {
      io.stdout('(no reply to give feedback on yet)\n');
      return;
    }
    const body = line.startsWith('/fix')
      ? correction(line, target)
      : { messageId: target.messageId, userId, kind: line.slice(1) };
    const answer = await client.feedback(body);
    io.stdout(answer.status === 202 ? `(${answer.message})\n` : '(thanks, feedback saved)\n');
  }

  function correction(line: string, target: { messageId: string; text: string }) {
    const [, intent, ...pairs] = line.split(/\s+/);
    if (!intent) throw new ParleyError('BAD_REQUEST', 'usage: /fix <intent> [type=value ...]');
    const entities = pairs.map((pair) => {
      const [type, value] = pair.split('=');
      const start = value ? target.text.indexOf(value) : -1;
      if (!type || start < 0) {
        throw new ParleyError(
          'BAD_REQUEST',
          `"${pair}": write type=value with a value from your message`,
        );
      }
      return { type, start, end: start + value.length };
    });
    return { messageId: target.messageId, userId, kind: 'correction', intent, entities };
  }
}

function describeReply(answer: ChatReply): string {
  if (!answer.reply) return '(no reply: the message was blank)\n';
  const lines = [`parley> ${answer.reply.text}`];
  const p = answer.prediction;
  if (p) {
    const entities = p.entities.map((e) => `${e.type}=${e.value}`).join(' ');
    const intent = `${p.intent.name} ${p.intent.confidence.toFixed(2)}`;
    lines.push(`        [${intent}${entities ? ` ${entities}` : ''}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** A bot already answering on this machine's PORT, or undefined. */
async function runningBot(config: Config): Promise<string | undefined> {
  const url = `http://127.0.0.1:${config.PORT}`;
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
    return response.ok ? url : undefined;
  } catch {
    return undefined;
  }
}

interface ChatFlags {
  url?: string;
  user: string;
}

async function runChat(flags: ChatFlags, io: CliIo): Promise<void> {
  let app: ParleyApp | undefined;
  let url = flags.url;
  if (!url) {
    const config = loadConfig();
    url = await runningBot(config);
    if (url) {
      io.stderr(`Talking to the Parley running at ${url}\n`);
    } else {
      // Quiet logs: the terminal is for the conversation.
      app = createApp(
        { ...config, PORT: 0, HOST: '127.0.0.1' },
        { logger: rootLogger().child({}, { level: 'warn' }) },
      );
      await app.start();
      url = app.url;
      io.stderr('Started Parley in this process (no bot was running on PORT)\n');
    }
  }
  try {
    await runChatSession({
      client: createLocalApiClient(url),
      input: process.stdin,
      io,
      userId: flags.user,
    });
  } finally {
    await app?.stop();
  }
}

export const chatCommand: CliCommand = {
  name: 'chat',
  register(program: Command, io: CliIo) {
    program
      .command('chat')
      .description('talk to Parley in the terminal (a running bot, or one started here)')
      .option('--url <url>', 'base URL of a running bot (default: 127.0.0.1:PORT if one answers)')
      .option('--user <id>', 'user id your messages and feedback are stored under', 'terminal-user')
      .action((flags: ChatFlags) => runChat(flags, io));
  },
};
