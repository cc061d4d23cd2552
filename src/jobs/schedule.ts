import cron, { type ScheduledTask } from 'node-cron';
import { ParleyError } from '../core/errors.js';
import { logger as componentLogger, type Logger } from '../core/log.js';

/**
 * The retraining schedule: node-cron 4 fires `fire(slot)` at each slot of the expression in the
 * time zone. Everything else (the lock, one run per slot across instances, skipping when nothing
 * is new) belongs to the job, so this file stays a few lines of wiring.
 *
 * - `noOverlap`: a fire while this process's previous scheduled run is still going is skipped
 *   and logged; a run started by a command or another instance is caught by the job's lock.
 * - `slot` is the scheduled time (not the moment the timer woke), so two instances firing a few
 *   milliseconds apart agree on it.
 */

export interface RetrainScheduleOptions {
  /** Cron expression (PARLEY_RETRAIN_CRON); empty disables the schedule. */
  expression: string;
  /** IANA time zone (PARLEY_RETRAIN_TZ) the expression is read in. */
  timezone: string;
  fire: (slot: Date) => Promise<unknown>;
  logger?: Logger;
}

export interface RetrainSchedule {
  nextRun(): Date | null;
  stop(): Promise<void>;
}

export function scheduleRetrain(options: RetrainScheduleOptions): RetrainSchedule | undefined {
  const log = options.logger ?? componentLogger('jobs.schedule');
  const expression = options.expression.trim();
  if (expression === '') {
    log.info('retraining schedule disabled (PARLEY_RETRAIN_CRON is empty)');
    return undefined;
  }
  checkSchedule(expression, options.timezone);

  const task: ScheduledTask = cron.schedule(
    expression,
    async ({ date }) => {
      log.info({ slot: date.toISOString() }, 'scheduled retrain firing');
      await options.fire(date);
    },
    {
      timezone: options.timezone,
      noOverlap: true,
      name: 'parley-retrain',
      logger: cronLogger(log),
    },
  );
  task.on('execution:overlap', ({ date }) =>
    log.warn({ slot: date.toISOString() }, 'scheduled retrain skipped: the last one still runs'),
  );
  task.on('execution:failed', ({ date, execution }) =>
    log.error({ slot: date.toISOString(), err: execution?.error }, 'scheduled retrain failed'),
  );
  log.info(
    { expression, timezone: options.timezone, next: task.getNextRun() },
    'retrain scheduled',
  );

  return {
    nextRun: () => task.getNextRun(),
    stop: async () => {
      await task.stop();
      await task.destroy();
    },
  };
}

/** node-cron's own lines go to our logger at debug; the events above say the same at warn. */
function cronLogger(log: Logger) {
  const line = (message: string | Error, err?: Error) =>
    log.debug({ err: err ?? (message instanceof Error ? message : undefined) }, String(message));
  return { info: line, warn: line, error: line, debug: line };
}

/** Throws CONFIG_INVALID naming the variable when the expression or the time zone is wrong. */
export function checkSchedule(expression: string, timezone: string): void {
  const detail = cron.validateDetailed(expression);
  if (!detail.valid) {
    const problems = detail.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new ParleyError(
      'CONFIG_INVALID',
      `PARLEY_RETRAIN_CRON ${JSON.stringify(expression)} is not a cron expression (${problems}); ` +
        'for example "0 3 * * *" is 03:00 every day, or leave it empty to disable the schedule',
    );
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ParleyError(
      'CONFIG_INVALID',
      `PARLEY_RETRAIN_TZ ${JSON.stringify(timezone)} is not a time zone; use an IANA name such as UTC or Europe/Berlin`,
    );
  }
}
