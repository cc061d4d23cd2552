import type { Logger } from '../core/log.js';

/**
 * A run's log: each line goes to the process log (with the run id) and is appended to the run's
 * row, in order. Appends are queued so a slow database never holds up training; a failed append
 * is logged and the run carries on (the row then misses that line, the process log does not).
 * Lines hold counts, ids, versions and figures, never a customer's text.
 */

export type RunLogLevel = 'info' | 'warn' | 'error';

export interface RunLogSink {
  appendLog(runId: string, level: RunLogLevel, msg: string): Promise<void>;
}

export interface RunLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Lines written so far, in order (for the run's outcome and tests). */
  lines(): { level: RunLogLevel; msg: string }[];
  /** Resolves when every queued append has been tried. */
  flush(): Promise<void>;
}

export function createRunLog(sink: RunLogSink, runId: string, log: Logger): RunLog {
  const written: { level: RunLogLevel; msg: string }[] = [];
  let queue: Promise<void> = Promise.resolve();

  function line(level: RunLogLevel, msg: string): void {
    written.push({ level, msg });
    log[level]({ runId }, msg);
    queue = queue.then(() =>
      sink.appendLog(runId, level, msg).catch((err: unknown) => {
        log.warn({ err, runId }, 'could not append to the run log');
      }),
    );
  }

  return {
    info: (msg) => line('info', msg),
    warn: (msg) => line('warn', msg),
    error: (msg) => line('error', msg),
    lines: () => [...written],
    flush: () => queue,
  };
}
