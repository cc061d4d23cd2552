import { verifySlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../src/core/log.js';
import type { Track } from '../../src/core/track.js';

/**
 * The Events API receiver: bolt's dispatch behind a Fetch-API handler, so that the app's own HTTP
 * server (hono) serves `POST /slack/events` on PORT next to everything else. It verifies Slack's
 * v0 signature, refuses stale timestamps, answers `url_verification`, and sends the HTTP response
 * the moment a listener calls `ack()` while the listener goes on working (Slack wants a response
 * within 3 s and retries otherwise).
 */

/** Slack refuses requests whose timestamp is more than five minutes off; so do we, both ways. */
const MAX_CLOCK_SKEW_S = 5 * 60;
/** Slack's payloads are a few KiB; anything near this is not from Slack. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface FetchReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** Milliseconds since the epoch; tests move the clock to check the staleness rule. */
  now?: () => number;
  /** Keeps each dispatch counted until its listeners finish, for a graceful stop. */
  track?: Track;
}

export class FetchReceiver implements Receiver {
  private app: App | undefined;
  private accepting = false;
  private readonly signingSecret: string;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly track: Track;

  constructor(options: FetchReceiverOptions) {
    this.signingSecret = options.signingSecret;
    this.log = options.logger;
    this.now = options.now ?? Date.now;
    this.track = options.track ?? ((work) => work);
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    this.accepting = true;
  }

  async stop(): Promise<void> {
    this.accepting = false;
  }

  /** The handler to mount at `POST /slack/events`. */
  async handle(request: Request): Promise<Response> {
    if (request.method !== 'POST') return plain(405, 'POST only');
    if (!this.accepting || !this.app) return plain(503, 'Parley is not ready for Slack yet');

    const raw = await readBody(request);
    if (raw === undefined) return plain(413, 'request body too large');
    if (isSslCheck(request, raw)) return plain(200, '');

    const refusal = this.verify(request.headers, raw);
    if (refusal) {
      this.log.warn({ reason: refusal }, 'slack request refused');
      return plain(401, 'invalid request signature');
    }

    const body = parseBody(request.headers.get('content-type'), raw);
    if (!body) return plain(400, 'unreadable body');
    if (body.type === 'url_verification') return json({ challenge: body.challenge });

    return this.dispatch(this.app, body, request.headers);
  }

  /** Returns why a request is refused, or undefined when it is Slack's. */
  private verify(headers: Headers, raw: string): string | undefined {
    const signature = headers.get('x-slack-signature');
    const timestamp = Number(headers.get('x-slack-request-timestamp'));
    if (!signature || !Number.isInteger(timestamp)) return 'missing signature headers';

    const nowMs = this.now();
    if (Math.abs(nowMs / 1000 - timestamp) > MAX_CLOCK_SKEW_S) return 'stale timestamp';

    try {
      verifySlackRequest({
        signingSecret: this.signingSecret,
        body: raw,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: nowMs,
      });
      return undefined;
    } catch {
      return 'signature mismatch';
    }
  }

  private async dispatch(app: App, body: Record<string, unknown>, headers: Headers) {
    let respond: (response: Response) => void = () => undefined;
    const acked = new Promise<Response>((resolve) => (respond = resolve));
    let done = false;

    const event: ReceiverEvent = {
      body,
      retryNum: optionalInt(headers.get('x-slack-retry-num')),
      retryReason: headers.get('x-slack-retry-reason') ?? undefined,
      ack: async (response?: unknown) => {
        if (done) {
          this.log.warn('slack ack called twice; the second is ignored');
          return;
        }
        done = true;
        respond(ackResponse(response));
      },
    };

    const processed = this.track(app.processEvent(event)).then(
      () => plain(404, 'no listener acknowledged this request'),
      (err: unknown) => {
        this.log.error({ err: errorName(err) }, 'slack event processing failed before ack');
        return plain(500, 'processing failed');
      },
    );
    return Promise.race([acked, processed]);
  }
}

async function readBody(request: Request): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) return undefined;
  const raw = await request.text();
  return Buffer.byteLength(raw) > MAX_BODY_BYTES ? undefined : raw;
}

/** Slack's certificate check carries no signature and wants a plain 200. */
function isSslCheck(request: Request, raw: string): boolean {
  if (!isForm(request.headers.get('content-type'))) return false;
  return new URLSearchParams(raw).get('ssl_check') === '1';
}

/** Events are JSON; actions and views are a form with one `payload` field; commands a form. */
function parseBody(contentType: string | null, raw: string): Record<string, unknown> | undefined {
  try {
    if (!isForm(contentType)) return JSON.parse(raw) as Record<string, unknown>;
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    if (payload !== null) return JSON.parse(payload) as Record<string, unknown>;
    return Object.fromEntries(form);
  } catch {
    return undefined;
  }
}

function isForm(contentType: string | null): boolean {
  return (contentType ?? '').startsWith('application/x-www-form-urlencoded');
}

function ackResponse(response: unknown): Response {
  if (response === undefined || response === '') return plain(200, '');
  if (typeof response === 'string') return plain(200, response);
  return json(response);
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

function optionalInt(value: string | null): number | undefined {
  const parsed = Number.parseInt(value ?? '', 10);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
