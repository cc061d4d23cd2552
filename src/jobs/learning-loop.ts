import { createAdminHandler, type AdminCommandHandler } from '../admin/commands.js';
import type { AdminDeps, RunReader } from '../admin/ports.js';
import type { ReportSink } from '../admin/types.js';
import { logger as componentLogger, type Logger } from '../core/log.js';
import { createActiveModel, type ActiveModel } from '../registry/active-model.js';
import { bootstrapRegistry, type BootstrapPaths } from '../registry/base-data.js';
import type { ListenPort, ModelVersionsPort, TrainingExamplesPort } from '../registry/ports.js';
import {
  createModelRegistry,
  parseVersionLabel,
  versionLabel,
  type ModelRegistry,
} from '../registry/registry.js';
import { ParleyError } from '../core/errors.js';
import type { Device } from '../nlu/session.js';
import { createRetrainLauncher, type RetrainLauncher } from './launcher.js';
import {
  failAbandoned,
  RETRAIN_LOCK,
  runRetrain,
  type FeedbackSource,
  type RetrainDeps,
  type RetrainRequest,
  type RetrainSettings,
  type RunsPort,
} from './retrain.js';
import type { TextKeys } from './retrain-data.js';
import { scheduleRetrain, type RetrainSchedule } from './schedule.js';
import type { CandidateTrainer } from './train-job.js';
import type { RunOutcome } from './types.js';

/**
 * The learning-from-feedback loop of one Parley process, put together: the registry (first start
 * makes the shipped model v1), the model it serves (hot-swapped on every promotion, whichever
 * instance promoted), the retrain job with its launcher and schedule, and the admin commands.
 * The app serves `loop.model` (`nlu: () => loop.model`) and hands `loop.admin` to its adapters.
 */

export interface LearningPorts {
  models: ModelVersionsPort;
  examples: TrainingExamplesPort;
  runs: RunsPort;
  feedback: FeedbackSource;
  keys: TextKeys;
  lock: RetrainDeps['lock'];
  listen?: ListenPort;
  admin: Omit<AdminDeps, 'launcher' | 'models' | 'logger' | 'intents'>;
}

export interface LearningLoopOptions {
  ports: LearningPorts;
  paths: BootstrapPaths;
  trainer: CandidateTrainer;
  /** Report sinks of the adapters, read at each run (adapters start after the loop). */
  sinks: () => readonly ReportSink[];
  device?: Device;
  schedule?: { expression: string; timezone: string };
  settings?: Partial<RetrainSettings>;
  logger?: Logger;
}

export interface LearningLoop {
  /** The model to serve: an NluEngine that follows the active version. */
  model: ActiveModel;
  registry: ModelRegistry;
  launcher: RetrainLauncher;
  admin: AdminCommandHandler;
  /** Runs and their stored reports (the admin page). */
  runs: RunReader;
  /** Runs a retrain to its end in this process (the `parley retrain` command line). */
  retrain(request: Omit<RetrainRequest, 'onStarted'>): Promise<RunOutcome>;
  /** Starts the cron schedule (not started by `start`, so one-shot commands never fire it). */
  startSchedule(): RetrainSchedule | undefined;
  stop(): Promise<void>;
}

export async function startLearningLoop(options: LearningLoopOptions): Promise<LearningLoop> {
  const log = options.logger ?? componentLogger('learning');
  const { ports } = options;
  const registry = createModelRegistry({
    repo: ports.models,
    listen: ports.listen,
    device: options.device,
    logger: log.child({ component: 'registry' }),
  });

  await bootstrapRegistry({ registry, examples: ports.examples, logger: log }, options.paths);
  const active = await registry.activeVersion();
  const model = createActiveModel({
    initial: await registry.loadEngine(active ?? 1),
    logger: log.child({ component: 'active-model' }),
  });
  const unfollow = await registry.follow(model);
  await failAbandonedAtStart(ports, log);

  const deps = (): RetrainDeps => ({
    lock: ports.lock,
    runs: ports.runs,
    registry,
    examples: ports.examples,
    feedback: ports.feedback,
    keys: ports.keys,
    trainer: options.trainer,
    sinks: options.sinks(),
    settings: { device: options.device ?? 'cpu', ...options.settings },
    logger: log.child({ component: 'retrain' }),
  });
  const launcher = createRetrainLauncher({
    run: (request) => runRetrain(deps(), request),
    logger: log.child({ component: 'launcher' }),
  });
  const admin = createAdminHandler({
    ...ports.admin,
    launcher,
    models: modelAdmin(registry),
    intents: () => [...model.intents],
    logger: log.child({ component: 'admin' }),
  });

  let schedule: RetrainSchedule | undefined;
  return {
    model,
    registry,
    launcher,
    admin,
    runs: ports.admin.runs,
    retrain: (request) => runRetrain(deps(), request),
    startSchedule() {
      schedule ??=
        options.schedule &&
        scheduleRetrain({
          ...options.schedule,
          fire: (slot) => fireScheduled(launcher, slot, log),
          logger: log.child({ component: 'schedule' }),
        });
      return schedule;
    },
    async stop() {
      await schedule?.stop();
      await launcher.current()?.done;
      await unfollow();
      await admin.settled();
      await model.close();
    },
  };
}

/**
 * A scheduled fire: the slot is the key that makes it run once across instances. When a run is
 * already going in this process (a command started it), the fire is skipped, not queued: the
 * next slot will pick up whatever is new by then.
 */
async function fireScheduled(launcher: RetrainLauncher, slot: Date, log: Logger): Promise<void> {
  const slotKey = `schedule:${slot.toISOString()}`;
  const answer = await launcher.request({ trigger: 'schedule', requestedBy: null, slotKey });
  if (answer.kind === 'busy') {
    log.info({ slot: slotKey }, 'scheduled retrain skipped: a run is in progress');
    return;
  }
  const outcome = answer.kind === 'finished' ? answer.outcome : await answer.done;
  if (outcome.skip === 'locked' || outcome.skip === 'slot-taken') {
    log.info({ slot: slotKey, skip: outcome.skip }, `scheduled retrain skipped: ${outcome.reason}`);
    return;
  }
  log.info(
    { slot: slotKey, runId: outcome.runId, decision: outcome.decision },
    'scheduled retrain done',
  );
}

/** At start, runs left open by a dead process are failed, if no live run holds the lock. */
async function failAbandonedAtStart(ports: LearningPorts, log: Logger): Promise<void> {
  try {
    await ports.lock(RETRAIN_LOCK, () => failAbandoned(ports.runs, log));
  } catch (err) {
    log.warn({ err }, 'could not check for abandoned runs; the next run will');
  }
}

/** The registry as the admin commands see it: versions named `v<n>`. */
export function modelAdmin(registry: ModelRegistry): AdminDeps['models'] {
  const promoted = (notice: { version: number; previous: number | null }) =>
    notice.previous === notice.version
      ? { kind: 'already-active' as const, version: versionLabel(notice.version) }
      : {
          kind: 'promoted' as const,
          from: notice.previous === null ? null : versionLabel(notice.previous),
          to: versionLabel(notice.version),
        };

  return {
    async list() {
      const rows = await registry.list();
      return rows.map((row) => ({
        version: versionLabel(row.version),
        status: row.status,
        parentVersion: row.parentVersion === null ? null : versionLabel(row.parentVersion),
        runId: row.runId,
        createdAt: row.createdAt,
        promotedAt: row.promotedAt,
        accuracy:
          typeof row.metrics?.intentAccuracy === 'number' ? row.metrics.intentAccuracy : null,
      }));
    },
    async promote(version) {
      return promoted(await registry.promote(await known(registry, version)));
    },
    async rollback(_by, version) {
      if (version === undefined) return promoted(await registry.rollback());
      const target = await known(registry, version);
      const info = await registry.get(target);
      if (info?.promotedAt === null) {
        throw new ParleyError(
          'CONFLICT',
          `${version} was never active, so there is nothing to roll back to; use \`promote ${version}\` to make it active.`,
        );
      }
      return promoted(await registry.promote(target));
    },
  };
}

async function known(registry: ModelRegistry, label: string): Promise<number> {
  const version = parseVersionLabel(label);
  if (!(await registry.get(version))) {
    throw new ParleyError(
      'NOT_FOUND',
      `There is no model ${versionLabel(version)}; \`models\` lists the versions. Nothing changed.`,
    );
  }
  return version;
}
