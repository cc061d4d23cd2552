import { createHash } from 'node:crypto';
import { and, desc, eq, getTableColumns, lt, ne, sql } from 'drizzle-orm';
import { ParleyError } from '../core/errors.js';
import { guard, IDEMPOTENT } from './errors.js';
import { modelVersions, type ModelStatus, type ModelVersionRow } from './schema.js';
import type { Store, StoreDb } from './store.js';

/**
 * The model registry. Promotion is one transaction that retires the old active version and
 * activates the new one; a partial unique index guarantees there is never more than one active.
 * Every promotion is announced on MODEL_CHANNEL so each instance can swap its session.
 */

/** LISTEN/NOTIFY channel for promotions; the payload is JSON `{ version, previous }`. */
export const MODEL_CHANNEL = 'parley_model';

export interface PromotionNotice {
  version: number;
  previous: number | null;
}

/** A registry row without the artifact bytes (which can be megabytes). */
export type ModelVersionInfo = Omit<ModelVersionRow, 'artifact'>;

export interface NewModelVersion {
  artifact: Uint8Array;
  manifest: Record<string, unknown>;
  metrics?: Record<string, unknown> | null;
  parentVersion?: number | null;
  runId?: string | null;
}

export interface ModelVersionsRepo {
  insertCandidate(input: NewModelVersion): Promise<ModelVersionInfo>;
  /**
   * First start: stores `input` as the active version 1 when the registry is empty. Several
   * instances may call it at once; exactly one creates the row.
   */
  ensureInitial(input: NewModelVersion): Promise<{ created: boolean; active: ModelVersionInfo }>;
  /** The active version with its artifact, or undefined before the first start. */
  getActive(): Promise<ModelVersionRow | undefined>;
  activeVersion(): Promise<number | undefined>;
  get(version: number): Promise<ModelVersionRow | undefined>;
  list(): Promise<ModelVersionInfo[]>;
  /** Makes `version` the active one and retires the previous; a no-op if already active. */
  promote(version: number): Promise<PromotionNotice>;
  /** Promotes the version that was active before the current one. NOT_FOUND if there is none. */
  rollback(): Promise<PromotionNotice>;
  /** Marks a candidate rejected (by the gate). */
  reject(version: number): Promise<void>;
  setMetrics(version: number, metrics: Record<string, unknown>): Promise<void>;
}

const { artifact: _artifact, ...infoColumns } = getTableColumns(modelVersions);

/** Serialises promotions across instances, so two at once cannot both retire the same row. */
const PROMOTE_LOCK = 'parley:promote';

type Tx = Parameters<Parameters<StoreDb['transaction']>[0]>[0];

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function createModelVersionsRepo(store: Store): ModelVersionsRepo {
  const { db } = store;

  async function insertCandidate(input: NewModelVersion): Promise<ModelVersionInfo> {
    const rows = await guard('modelVersions.insertCandidate', () =>
      db
        .insert(modelVersions)
        .values({ ...input, status: 'candidate', sha256: sha256(input.artifact) })
        .returning(infoColumns),
    );
    return rows[0];
  }

  async function ensureInitial(input: NewModelVersion) {
    return guard(
      'modelVersions.ensureInitial',
      () =>
        db.transaction(async (tx) => {
          await lockPromotions(tx);
          const [existing] = await tx
            .select({ version: modelVersions.version })
            .from(modelVersions)
            .limit(1);
          if (existing) {
            const [active] = await tx
              .select(infoColumns)
              .from(modelVersions)
              .where(eq(modelVersions.status, 'active'));
            if (!active) {
              throw new ParleyError(
                'CONFLICT',
                'the model registry has versions but none is active',
              );
            }
            return { created: false, active };
          }
          const [active] = await tx
            .insert(modelVersions)
            .values({
              ...input,
              status: 'active',
              sha256: sha256(input.artifact),
              promotedAt: sql`now()`,
            })
            .returning(infoColumns);
          return { created: true, active };
        }),
      IDEMPOTENT,
    );
  }

  async function getActive(): Promise<ModelVersionRow | undefined> {
    const rows = await guard(
      'modelVersions.getActive',
      () => db.select().from(modelVersions).where(eq(modelVersions.status, 'active')),
      IDEMPOTENT,
    );
    return rows[0];
  }

  async function activeVersion(): Promise<number | undefined> {
    const rows = await guard(
      'modelVersions.activeVersion',
      () =>
        db
          .select({ version: modelVersions.version })
          .from(modelVersions)
          .where(eq(modelVersions.status, 'active')),
      IDEMPOTENT,
    );
    return rows[0]?.version;
  }

  async function get(version: number): Promise<ModelVersionRow | undefined> {
    const rows = await guard(
      'modelVersions.get',
      () => db.select().from(modelVersions).where(eq(modelVersions.version, version)),
      IDEMPOTENT,
    );
    return rows[0];
  }

  async function list(): Promise<ModelVersionInfo[]> {
    return guard(
      'modelVersions.list',
      () => db.select(infoColumns).from(modelVersions).orderBy(desc(modelVersions.version)),
      IDEMPOTENT,
    );
  }

  async function lockPromotions(tx: Tx): Promise<void> {
    // Transaction-level: released at commit or rollback, on either driver.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${PROMOTE_LOCK}, 0))`);
  }

  /** Inside a promotion transaction: retire the active row, activate `version`. */
  async function swapActive(tx: Tx, version: number): Promise<PromotionNotice> {
    const [target] = await tx
      .select({ status: modelVersions.status })
      .from(modelVersions)
      .where(eq(modelVersions.version, version));
    if (!target) throw new ParleyError('NOT_FOUND', `model version ${version} does not exist`);

    const [current] = await tx
      .select({ version: modelVersions.version })
      .from(modelVersions)
      .where(eq(modelVersions.status, 'active'));
    if (current?.version === version) return { version, previous: version };

    await tx
      .update(modelVersions)
      .set({ status: 'retired' })
      .where(eq(modelVersions.status, 'active'));
    await tx
      .update(modelVersions)
      .set({ status: 'active', promotedAt: sql`now()` })
      .where(eq(modelVersions.version, version));
    return { version, previous: current?.version ?? null };
  }

  /**
   * Runs a promotion and announces it. On a server the NOTIFY is part of the transaction, so
   * other instances hear of it exactly when it commits; PGlite's emitter fires after commit.
   */
  async function promoteWith(
    op: string,
    choose: (tx: Tx) => Promise<number>,
  ): Promise<PromotionNotice> {
    const notice = await guard(op, () =>
      db.transaction(async (tx) => {
        await lockPromotions(tx);
        const result = await swapActive(tx, await choose(tx));
        if (store.kind === 'postgres' && result.previous !== result.version) {
          await tx.execute(sql`select pg_notify(${MODEL_CHANNEL}, ${JSON.stringify(result)})`);
        }
        return result;
      }),
    );
    if (store.kind === 'pglite' && notice.previous !== notice.version) {
      await store.notify(MODEL_CHANNEL, JSON.stringify(notice));
    }
    return notice;
  }

  const promote = (version: number) => promoteWith('modelVersions.promote', async () => version);

  /** The retired version promoted most recently before the current active one. */
  async function previousActive(tx: Tx): Promise<number> {
    const [current] = await tx
      .select({ version: modelVersions.version, promotedAt: modelVersions.promotedAt })
      .from(modelVersions)
      .where(eq(modelVersions.status, 'active'));
    if (!current?.promotedAt)
      throw new ParleyError('NOT_FOUND', 'no active model version to roll back from');
    const [previous] = await tx
      .select({ version: modelVersions.version })
      .from(modelVersions)
      .where(
        and(
          eq(modelVersions.status, 'retired'),
          ne(modelVersions.version, current.version),
          lt(modelVersions.promotedAt, current.promotedAt),
        ),
      )
      .orderBy(desc(modelVersions.promotedAt))
      .limit(1);
    if (!previous) {
      throw new ParleyError(
        'NOT_FOUND',
        `no earlier active version to roll back to from ${current.version}`,
      );
    }
    return previous.version;
  }

  const rollback = () => promoteWith('modelVersions.rollback', previousActive);

  async function updateOne(
    op: string,
    version: number,
    set: Partial<ModelVersionRow>,
    only?: ModelStatus,
  ) {
    const rows = await guard(
      op,
      () =>
        db
          .update(modelVersions)
          .set(set)
          .where(
            and(
              eq(modelVersions.version, version),
              only ? eq(modelVersions.status, only) : undefined,
            ),
          )
          .returning({ version: modelVersions.version }),
      IDEMPOTENT,
    );
    if (rows.length === 0) {
      const what = only ? `a ${only} model version ${version}` : `model version ${version}`;
      throw new ParleyError('NOT_FOUND', `there is no ${what}`);
    }
  }

  return {
    insertCandidate,
    ensureInitial,
    getActive,
    activeVersion,
    get,
    list,
    promote,
    rollback,
    reject: (version) =>
      updateOne('modelVersions.reject', version, { status: 'rejected' }, 'candidate'),
    setMetrics: (version, metrics) => updateOne('modelVersions.setMetrics', version, { metrics }),
  };
}
