import { logger as componentLogger, type Logger } from '../core/log.js';
import type { RunOutcome, RunTrigger } from './types.js';

/**
 * Starts retraining runs for commands and answers within a chat platform's acknowledgement
 * window (case C17). The run itself (lock, row, training) is `run`; this only keeps one run per
 * process in flight and decides what to tell the caller at once:
 *
 * - `started`: the run has its row; `done` settles with the outcome.
 * - `busy`: a run is in progress here or on another instance; nothing new was started.
 * - `queued`: the lock or the row did not answer within `ackMs` (a slow database); the request
 *   stands and `done` settles with the outcome, which may still be a `locked` skip.
 * - `finished`: the run ended before the acknowledgement (it failed before writing its row).
 */

export interface LaunchRequest {
  trigger: RunTrigger;
  requestedBy: string | null;
  /** The schedule slot, for scheduled runs. */
  slotKey?: string;
  signal?: AbortSignal;
}

export type RunStarter = (
  request: LaunchRequest & { onStarted: (runId: string) => void },
) => Promise<RunOutcome>;

export type LaunchAnswer =
  | { kind: 'started'; runId: string; done: Promise<RunOutcome> }
  | { kind: 'busy'; runId: string | null; done?: Promise<RunOutcome> }
  | { kind: 'queued'; done: Promise<RunOutcome> }
  | { kind: 'finished'; outcome: RunOutcome };

export interface RetrainLauncher {
  request(request: LaunchRequest): Promise<LaunchAnswer>;
  /** The run this process has in flight, if any. */
  current(): { runId: string | null; done: Promise<RunOutcome> } | undefined;
}

export interface LauncherOptions {
  run: RunStarter;
  /** How long to wait for the run's row before answering `queued`, ms (default 1000). */
  ackMs?: number;
  logger?: Logger;
}

export function createRetrainLauncher(options: LauncherOptions): RetrainLauncher {
  const log = options.logger ?? componentLogger('jobs.launcher');
  const ackMs = options.ackMs ?? 1_000;
  let current: { runId: string | null; done: Promise<RunOutcome> } | undefined;

  async function request(req: LaunchRequest): Promise<LaunchAnswer> {
    if (current) return { kind: 'busy', runId: current.runId, done: current.done };

    let markStarted: (runId: string) => void = () => undefined;
    const started = new Promise<string>((resolve) => (markStarted = resolve));
    // `run` is called on a later microtask, so `entry` exists when it reports its row.
    const entry: { runId: string | null; done: Promise<RunOutcome> } = {
      runId: null,
      done: Promise.resolve().then(() =>
        options.run({
          ...req,
          onStarted: (runId) => {
            entry.runId = runId;
            markStarted(runId);
          },
        }),
      ),
    };
    current = entry;
    void entry.done
      .catch((err: unknown) => log.error({ err }, 'retrain run threw'))
      .finally(() => {
        if (current === entry) current = undefined;
      });

    return acknowledge(entry.done, started);
  }

  async function acknowledge(done: Promise<RunOutcome>, started: Promise<string>) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ackMs);
    });
    const first = await Promise.race([
      started.then((runId) => ({ runId })),
      done.then((outcome) => ({ outcome })),
      timeout,
    ]).finally(() => clearTimeout(timer));

    if (first === 'timeout') return { kind: 'queued' as const, done };
    if ('runId' in first) return { kind: 'started' as const, runId: first.runId, done };
    const { outcome } = first;
    if (outcome.skip === 'locked' || outcome.skip === 'slot-taken') {
      return { kind: 'busy' as const, runId: null };
    }
    return { kind: 'finished' as const, outcome };
  }

  return { request, current: () => current };
}
