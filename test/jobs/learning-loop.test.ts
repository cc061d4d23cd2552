import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { asc, count, eq } from 'drizzle-orm';
import { pino } from 'pino';
import type { AdminContext } from '../../src/admin/types.js';
import { adminAudit, trainingExamples, trainingRuns } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';
import { refundAndStatusCorrections } from '../fixtures/shop-data.js';
import { BACKENDS, setUpBackend, type Backend } from '../store/harness.js';
import { stubTrainer, tinyBaseModel } from './harness.js';
import { emptyTables, seedCorrections, startTestLoop } from './loop-harness.js';

const SLOT = '2026-03-10T03:00:00.000Z';
const admin: AdminContext = { platform: 'local', userId: 'ops', isAdmin: true };

beforeAll(async () => {
  await tinyBaseModel();
}, 120_000);

describe.each(BACKENDS)('learning loop on %s', (kind) => {
  let backend: Backend;
  let store: Store;
  /** A second instance's store: its own connections on a server; PGlite has one owner. */
  let otherStore: Store;
  const cleanups: (() => Promise<void>)[] = [];

  // One store per backend for the file (PGlite takes seconds to start); emptied between tests.
  beforeAll(async () => {
    backend = await setUpBackend(kind, 'loop');
    store = await backend.open();
    otherStore = kind === 'postgres' ? await backend.open() : store;
  }, 120_000);

  afterAll(async () => {
    if (otherStore !== store) await otherStore.close();
    await store.close();
    await backend.cleanup();
  });

  afterEach(async () => {
    vi.useRealTimers();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await emptyTables(store);
  });

  it('registers the shipped model as v1 and its data as base examples with frozen splits', async () => {
    const { loop } = await startTestLoop(store, backend.dataDir);
    cleanups.push(() => loop.stop());

    expect(loop.model.version).toBe('v1');
    expect((await loop.model.predict('where is my order A1234')).modelVersion).toBe('v1');
    const rows = await store.db
      .select({ split: trainingExamples.split, n: count() })
      .from(trainingExamples)
      .groupBy(trainingExamples.split)
      .orderBy(asc(trainingExamples.split));
    expect(rows).toEqual([
      { split: 'test', n: 72 },
      { split: 'train', n: 252 },
    ]);

    // A second start (another instance, or a restart) changes nothing.
    const again = await startTestLoop(store, backend.dataDir);
    cleanups.push(() => again.loop.stop());
    expect((await loop.registry.list()).map((m) => m.version)).toEqual([1]);
  });

  it('retrains from admin commands, swaps every reader, rolls back, audits each command', async () => {
    const { loop, reports } = await startTestLoop(store, backend.dataDir);
    cleanups.push(() => loop.stop());
    const feedbackIds = await seedCorrections(store, refundAndStatusCorrections());
    await seedCorrections(store, [{ text: 'this is useless', intent: '', entities: [] }], 'down');

    const started = await loop.admin.execute(admin, 'retrain');
    expect(started.text).toMatch(/^Retraining run #[0-9a-f]{8} started\./);
    const result = await started.later!;
    expect(result.text).toMatch(/^Run #[0-9a-f]{8} promoted v2: Promoted v2 over v1/);
    expect(result.report?.chartPng?.byteLength).toBeGreaterThan(1000);
    expect(reports).toHaveLength(1);

    await waitUntil(() => loop.model.version === 'v2');
    expect((await loop.model.predict('reimburse me for A1234')).modelVersion).toBe('v2');

    const models = await loop.admin.execute(admin, 'models');
    expect(models.text).toMatch(/v2 +active/);
    expect(models.text).toMatch(/v1 +retired/);

    const report = await loop.admin.execute(admin, 'report');
    expect(report.text).toContain('promoted');
    expect((await report.later!).report?.markdown).toContain('# Retraining report');

    expect((await loop.admin.execute(admin, 'rollback v999')).text).toContain(
      'There is no model v999',
    );
    const back = await loop.admin.execute(admin, 'rollback');
    expect(back.text).toBe('v1 is now the active model (was v2). Every instance switches to it.');
    await waitUntil(() => loop.model.version === 'v1');

    // the used feedback is not trained on again; the bare thumbs-down waits in the queue
    const queue = await loop.admin.execute(admin, 'feedback');
    expect(queue.text).toContain('thumbs-down');
    expect(queue.text).not.toContain('correction ');
    const again = await loop.retrain({ trigger: 'cli', requestedBy: 'cli:ops' });
    expect(again).toMatchObject({ status: 'skipped', skip: 'nothing-new' });
    expect(feedbackIds).toHaveLength(40);

    await loop.admin.settled();
    const audit = await store.db.select().from(adminAudit).orderBy(asc(adminAudit.id));
    expect(audit.map((a) => [a.command, a.args, a.allowed])).toEqual([
      ['retrain', '', true],
      ['models', '', true],
      ['report', '', true],
      ['rollback', 'v999', true],
      ['rollback', '', true],
      ['feedback', '', true],
    ]);
    const runs = await store.db.select().from(trainingRuns).orderBy(asc(trainingRuns.createdAt));
    expect(runs.map((r) => [r.trigger, r.status, r.decision])).toEqual([
      ['command', 'succeeded', 'promoted'],
      ['cli', 'skipped', 'skipped'],
    ]);
    expect(runs[0].log.some((l) => l.msg === 'promoted v2 over v1')).toBe(true);
  });

  // case C21: two instances, one database, each with the schedule
  it('runs the 03:00 slot once: one row, one report, the other instance logs its skip', async () => {
    const logs = [capture(), capture()];
    const schedule = { expression: '0 3 * * *', timezone: 'UTC' };
    const a = await startTestLoop(store, backend.dataDir, { logger: logs[0].logger, schedule });
    const b = await startTestLoop(otherStore, backend.dataDir, {
      logger: logs[1].logger,
      schedule,
    });
    // Something to train on; training takes 2 s, so the run holds the lock meanwhile.
    await seedCorrections(store, refundAndStatusCorrections().slice(0, 10));

    // The clocks read 02:59:59 and run on in real time.
    vi.useFakeTimers({ now: new Date('2026-03-10T02:59:59Z'), shouldAdvanceTime: true });
    a.loop.startSchedule();
    b.loop.startSchedule();

    await waitFor(async () => (await finishedRuns(store)).length > 0, 60_000);
    await Promise.all([a.loop.launcher.current()?.done, b.loop.launcher.current()?.done]);

    const runs = await store.db.select().from(trainingRuns);
    expect(runs.map((r) => [r.trigger, r.slotKey])).toEqual([['schedule', `schedule:${SLOT}`]]);
    expect(runs[0].status).not.toBe('failed');
    expect(a.reports.length + b.reports.length).toBe(1);
    const skips = [...logs[0].lines, ...logs[1].lines].filter((l) =>
      l.startsWith('retrain skipped:'),
    );
    expect(skips).toHaveLength(1);
    expect(skips[0]).toMatch(
      /retrain skipped: (another run holds the retrain lock|another instance already ran this schedule slot)/,
    );

    // The run promoted v2 (the stub hands back an equal model); both instances now serve it.
    expect(runs[0].decision).toBe('promoted');
    await waitFor(
      async () => a.loop.model.version === 'v2' && b.loop.model.version === 'v2',
      10_000,
    );

    await a.loop.stop();
    await b.loop.stop();
  });

  it('gives one run for two `retrain` commands 1 s apart on different instances', async () => {
    const a = await startTestLoop(store, backend.dataDir, { trainer: stubTrainer(3_000) });
    const b = await startTestLoop(otherStore, backend.dataDir, { trainer: stubTrainer(3_000) });
    await seedCorrections(store, refundAndStatusCorrections().slice(0, 10));
    const ctx = { platform: 'slack' as const, userId: 'U1', isAdmin: true };

    const first = await a.loop.admin.execute(ctx, 'retrain');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const second = await b.loop.admin.execute({ ...ctx, userId: 'U2' }, 'retrain');

    expect(first.text).toMatch(/started/);
    expect(second.text).toMatch(/already in progress/);
    await first.later;
    const runs = await store.db.select().from(trainingRuns);
    expect(runs).toHaveLength(1);

    await a.loop.stop();
    await b.loop.stop();
  });

  if (kind === 'postgres') {
    it('frees the lock of an instance that dies mid-run; the next run marks its run failed', async () => {
      const b = await startTestLoop(otherStore, backend.dataDir);
      await seedCorrections(store, refundAndStatusCorrections().slice(0, 10));

      const dying = startDyingInstance(backend.database!.url, backend.dataDir);
      const runId = await dying.started;
      dying.kill();
      await dying.exited;

      const outcome = await b.loop.retrain({ trigger: 'cli', requestedBy: 'cli:ops' });
      expect(outcome.status).toBe('succeeded');
      const [dead] = await store.db.select().from(trainingRuns).where(eq(trainingRuns.id, runId));
      expect(dead).toMatchObject({ status: 'failed', decision: 'failed' });
      expect(dead.reason).toContain('stopped before the run finished');
      await b.loop.stop();
    });
  }
});

async function waitUntil(condition: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function finishedRuns(store: Store) {
  const rows = await store.db.select().from(trainingRuns).orderBy(asc(trainingRuns.createdAt));
  return rows.filter((r) => r.endedAt !== null);
}

async function waitFor(condition: () => Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Another Parley process that starts a run and is then killed outright (SIGKILL). */
function startDyingInstance(databaseUrl: string, dataDir: string) {
  const script = fileURLToPath(new URL('./fixtures/dying-instance.ts', import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, script, databaseUrl, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /run-started ([0-9a-f-]{36})/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`dying instance exited early (${code})`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { started, exited, kill: () => child.kill('SIGKILL') };
}

function capture() {
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line).msg as string) },
  );
  return { logger, lines };
}
