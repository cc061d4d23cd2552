import postgres, { type Options, type Sql } from 'postgres';
import type { Logger } from '../core/log.js';

/**
 * LISTEN on a real server, kept subscribed across reconnects.
 *
 * postgres.js has `sql.listen`, but when its re-LISTEN after a lost connection fails (the server
 * is still down) the failure is swallowed and the channel stays silent for good (case C24). This
 * keeps its own connection (max 1) and its own loop: after every close it re-issues LISTEN for
 * each channel with a capped backoff until the server answers, then tells each subscriber, which
 * may have missed notifications while away.
 */

export type NotifyHandler = (payload: string) => void;

export interface ListenOptions {
  /** Called after the subscription was re-established following a lost connection. */
  onResubscribe?: () => void;
}

interface Subscriber {
  handler: NotifyHandler;
  onResubscribe?: () => void;
}

export interface PgListener {
  listen(
    channel: string,
    handler: NotifyHandler,
    opts?: ListenOptions,
  ): Promise<() => Promise<void>>;
  /** Ends the listening connection, waiting at most `timeoutS` seconds. */
  close(timeoutS?: number): Promise<void>;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function createPgListener(url: string, options: Options<{}>, log: Logger): PgListener {
  const channels = new Map<string, Set<Subscriber>>();
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let backoffMs = MIN_BACKOFF_MS;
  let wasLost = false;

  // postgres.js 3.4 hands `onnotify` to its connections (its own `listen` uses it), but its
  // type declarations omit the option, hence the widened type.
  const listenOptions: Options<{}> & { onnotify: (channel: string, payload: string) => void } = {
    ...options,
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    onnotify: (channel, payload) => deliver(channel, payload),
    onclose: () => onConnectionClosed(),
  };
  const sql: Sql = postgres(url, listenOptions);

  function deliver(channel: string, payload: string): void {
    for (const sub of channels.get(channel) ?? []) {
      try {
        sub.handler(payload);
      } catch (err) {
        log.error({ err, channel }, 'notification handler threw');
      }
    }
  }

  function onConnectionClosed(): void {
    if (closed || channels.size === 0) return;
    wasLost = true;
    log.warn({ channels: [...channels.keys()] }, 'listen connection closed; resubscribing');
    // Not 0: a failed reconnect closes again, and the backoff keeps that from spinning.
    scheduleResubscribe(backoffMs);
  }

  function scheduleResubscribe(delayMs: number): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void resubscribe();
    }, delayMs);
  }

  async function resubscribe(): Promise<void> {
    try {
      for (const channel of channels.keys()) await sql.unsafe(`listen ${quoteIdent(channel)}`);
    } catch (err) {
      log.debug({ err, backoffMs }, 'resubscribe failed; retrying');
      scheduleResubscribe(backoffMs);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      return;
    }
    backoffMs = MIN_BACKOFF_MS;
    if (!wasLost) return;
    wasLost = false;
    log.info({ channels: [...channels.keys()] }, 'listen connection resubscribed');
    for (const subs of channels.values()) for (const sub of subs) sub.onResubscribe?.();
  }

  async function listen(channel: string, handler: NotifyHandler, opts: ListenOptions = {}) {
    const sub: Subscriber = { handler, onResubscribe: opts.onResubscribe };
    const subs = channels.get(channel) ?? new Set<Subscriber>();
    const isNew = subs.size === 0;
    subs.add(sub);
    channels.set(channel, subs);

    // A first LISTEN that fails (the server is away) is not an error: the loop subscribes later.
    if (isNew) {
      try {
        await sql.unsafe(`listen ${quoteIdent(channel)}`);
      } catch (err) {
        log.warn({ err, channel }, 'LISTEN failed; will subscribe when the database is back');
        wasLost = true;
        scheduleResubscribe(backoffMs);
      }
    }
    return () => unlisten(channel, sub);
  }

  async function unlisten(channel: string, sub: Subscriber): Promise<void> {
    const subs = channels.get(channel);
    if (!subs?.delete(sub) || subs.size > 0) return;
    channels.delete(channel);
    if (closed) return;
    // A lost connection has already dropped the subscription server-side.
    await sql.unsafe(`unlisten ${quoteIdent(channel)}`).catch(() => undefined);
  }

  async function close(timeoutS = 2): Promise<void> {
    closed = true;
    if (retryTimer) clearTimeout(retryTimer);
    channels.clear();
    await sql.end({ timeout: timeoutS });
  }

  return { listen, close };
}
