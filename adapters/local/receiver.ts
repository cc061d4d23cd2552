import { readFileSync } from 'node:fs';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ConversationHandler, FeedbackHandler } from '../../src/conversation/types.js';
import type { Logger } from '../../src/core/log.js';
import {
  ApiError,
  errorBody,
  FEEDBACK_QUEUED_MESSAGE,
  toApiError,
  toMessageResponse,
} from './reply.js';
import {
  MAX_BODY_BYTES,
  MAX_TEXT_LENGTH,
  parseMessageBody,
  toFeedbackInput,
  toIncomingMessage,
} from './to-message.js';

/**
 * The local adapter's HTTP side, mounted on the app's server: the web chat page and its JSON API.
 * The server listens on 127.0.0.1 unless HOST says otherwise; there is no authentication, so this
 * adapter is for a person on the same machine (and for scripts and tests).
 */

export interface LocalReceiverDeps {
  conversation: ConversationHandler;
  feedback: FeedbackHandler;
  logger: Logger;
  /** Version of the model answering now. */
  modelVersion(): string;
  /** Row counts and write-queue state for `GET /api/stats`. */
  stats(): Promise<Record<string, unknown>>;
}

const PAGE_HEADERS = {
  // Only our own files; the page builds every node with textContent, never from HTML strings.
  'Content-Security-Policy': "default-src 'self'; style-src 'self'; script-src 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function asset(name: string): string {
  return readFileSync(new URL(`./page/${name}`, import.meta.url), 'utf8');
}

export function registerLocalRoutes(http: Hono, deps: LocalReceiverDeps): void {
  const page = { html: asset('index.html'), js: asset('chat.js'), css: asset('chat.css') };
  const log = deps.logger;

  http.get('/', (c) => c.html(page.html, 200, PAGE_HEADERS));
  http.get('/chat.js', (c) =>
    c.body(page.js, 200, { ...PAGE_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  http.get('/chat.css', (c) =>
    c.body(page.css, 200, { ...PAGE_HEADERS, 'Content-Type': 'text/css; charset=utf-8' }),
  );

  http.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        fail(
          c,
          new ApiError(413, 'TOO_LARGE', `The request body is over ${MAX_BODY_BYTES} bytes.`),
        ),
    }),
  );

  http.get('/api/meta', (c) =>
    c.json({
      intents: deps.feedback.intents(),
      entityTypes: deps.feedback.entityTypes(),
      modelVersion: deps.modelVersion(),
      maxTextLength: MAX_TEXT_LENGTH,
    }),
  );

  http.get('/api/stats', async (c) => c.json(await deps.stats()));

  http.post('/api/messages', async (c) => {
    try {
      const body = parseMessageBody(await jsonBody(c));
      const message = toIncomingMessage(body);
      const result = await deps.conversation.handle(message);
      return c.json(toMessageResponse(result, message.threadId ?? message.platformMessageId));
    } catch (err) {
      return fail(c, err);
    }
  });

  http.post('/api/feedback', async (c) => {
    try {
      const input = toFeedbackInput(await jsonBody(c));
      const { feedbackId, saved } = await deps.feedback.record(input);
      if (saved) return c.json({ feedbackId, saved });
      // Accepted but not stored yet: the database is away and the write is queued.
      return c.json({ feedbackId, saved, message: FEEDBACK_QUEUED_MESSAGE }, 202);
    } catch (err) {
      return fail(c, err);
    }
  });

  function fail(c: Context, err: unknown): Response {
    const error = toApiError(err);
    const where = { path: c.req.path, status: error.status, code: error.code };
    if (error.status >= 500) log.error({ ...where, err }, 'local API request failed');
    else log.debug(where, 'local API request refused');
    const headers: Record<string, string> = error.status === 503 ? { 'Retry-After': '30' } : {};
    return c.json(errorBody(error), error.status, headers);
  }
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'BAD_JSON', 'The request body is not valid JSON.');
  }
}
