import { desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { ParleyError } from '../core/errors.js';
import { guard, IDEMPOTENT } from './errors.js';
import {
  trainingRuns,
  type RunLogLine,
  type RunStatus,
  type RunTrigger,
  type TrainingRunRow,
} from './schema.js';
import type { Store } from './store.js';

/** Retraining runs: created queued, started, logged line by line, finished with a decision. */

export interface NewRun {
  trigger: RunTrigger;
  requestedBy?: string | null;
  /** Scheduled runs: the slot (e.g. the fire time in ISO form). One run per slot, ever. */
  slotKey?: string | null;
}

export interface RunOutcome {
  status: Extract<RunStatus, 'succeeded' | 'rejected' | 'skipped' | 'failed'>;
  /** The verdict in a word: promoted, rejected, skipped, failed. */
  decision: string;
  reason: string;
  reportMarkdown?: string | null;
  chartPng?: Uint8Array | null;
  metrics?: Record<string, unknown> | null;
  candidateVersion?: number | null;
}

/** A run without its chart bytes, for lists. */
export type TrainingRunInfo = Omit<TrainingRunRow, 'chartPng'>;

export interface TrainingRunsRepo {
  /** A queued run; undefined when `slotKey` was already taken (another instance has the slot). */
  create(input: NewRun): Promise<TrainingRunRow | undefined>;
  /** Marks the run running and stamps `started_at`. */
  start(id: string): Promise<void>;
  appendLog(id: string, level: RunLogLine['level'], msg: string): Promise<void>;
  setCandidate(id: string, version: number): Promise<void>;
  finish(id: string, outcome: RunOutcome): Promise<TrainingRunRow>;
  get(id: string): Promise<TrainingRunRow | undefined>;
  list(limit?: number): Promise<TrainingRunInfo[]>;
  /** Runs still queued or running. */
  listOpen(): Promise<TrainingRunInfo[]>;
  /**
   * Marks every `running` run failed: its process died before finishing. Call it while holding
   * the retrain lock (`store.tryWithLock`), so no live instance is running one. Returns the ids.
   */
  failAbandonedRuns(reason?: string): Promise<string[]>;
}

const { chartPng: _chart, ...infoColumns } = getTableColumns(trainingRuns);

function logLine(level: RunLogLine['level'], msg: string) {
  const line: RunLogLine = { at: new Date().toISOString(), level, msg };
  // Appends one element to the jsonb array in place; concurrent appends both land.
  return sql`${trainingRuns.log} || jsonb_build_array(${JSON.stringify(line)}::jsonb)`;
}

export function createTrainingRunsRepo(store: Store): TrainingRunsRepo {
  const { db } = store;

  async function updateOne(op: string, id: string, set: PgUpdateSetSource<typeof trainingRuns>) {
    const rows = await guard(op, () =>
      db.update(trainingRuns).set(set).where(eq(trainingRuns.id, id)).returning(),
    );
    if (!rows[0]) throw new ParleyError('NOT_FOUND', `training run ${id} does not exist`);
    return rows[0];
  }

  async function create(input: NewRun): Promise<TrainingRunRow | undefined> {
    const rows = await guard('trainingRuns.create', () =>
      db
        .insert(trainingRuns)
        .values({ ...input, status: 'queued' })
        .onConflictDoNothing({ target: trainingRuns.slotKey })
        .returning(),
    );
    return rows[0];
  }

  async function finish(id: string, outcome: RunOutcome): Promise<TrainingRunRow> {
    return updateOne('trainingRuns.finish', id, {
      ...outcome,
      endedAt: sql`now()`,
      log: logLine(
        outcome.status === 'failed' ? 'error' : 'info',
        `${outcome.decision}: ${outcome.reason}`,
      ),
    });
  }

  async function get(id: string): Promise<TrainingRunRow | undefined> {
    const rows = await guard(
      'trainingRuns.get',
      () => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)),
      IDEMPOTENT,
    );
    return rows[0];
  }

  async function list(limit = 20): Promise<TrainingRunInfo[]> {
    return guard(
      'trainingRuns.list',
      () =>
        db
          .select(infoColumns)
          .from(trainingRuns)
          .orderBy(desc(trainingRuns.createdAt), desc(trainingRuns.id))
          .limit(limit),
      IDEMPOTENT,
    );
  }

  async function listOpen(): Promise<TrainingRunInfo[]> {
    return guard(
      'trainingRuns.listOpen',
      () =>
        db
          .select(infoColumns)
          .from(trainingRuns)
          .where(inArray(trainingRuns.status, ['queued', 'running']))
          .orderBy(trainingRuns.createdAt),
      IDEMPOTENT,
    );
  }

  async function failAbandonedRuns(
    reason = 'abandoned: the process running it stopped',
  ): Promise<string[]> {
    const rows = await guard(
      'trainingRuns.failAbandonedRuns',
      () =>
        db
          .update(trainingRuns)
          .set({
            status: 'failed',
            decision: 'failed',
            reason,
            endedAt: sql`now()`,
            log: logLine('error', reason),
          })
          .where(eq(trainingRuns.status, 'running'))
          .returning({ id: trainingRuns.id }),
      IDEMPOTENT,
    );
    return rows.map((row) => row.id);
  }

  return {
    create,
    start: async (id) => {
      await updateOne('trainingRuns.start', id, { status: 'running', startedAt: sql`now()` });
    },
    appendLog: async (id, level, msg) => {
      await updateOne('trainingRuns.appendLog', id, { log: logLine(level, msg) });
    },
    setCandidate: async (id, version) => {
      await updateOne('trainingRuns.setCandidate', id, { candidateVersion: version });
    },
    finish,
    get,
    list,
    listOpen,
    failAbandonedRuns,
  };
}
