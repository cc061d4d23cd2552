import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { runImportCommand } from '../../src/cli/import.js';
import { learningContext, type LearningContext } from '../../src/cli/learning.js';
import { runModelsCommand } from '../../src/cli/models.js';
import { runCli } from '../../src/cli/program.js';
import { runPromoteCommand } from '../../src/cli/promote.js';
import { runRetrainCommand } from '../../src/cli/retrain.js';
import { runRollbackCommand } from '../../src/cli/rollback.js';
import { loadConfig } from '../../src/config.js';
import { adminAudit } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';
import { refundAndStatusCorrections } from '../fixtures/shop-data.js';
import { tinyBaseModel } from '../jobs/harness.js';
import { seedCorrections, writeShopData } from '../jobs/loop-harness.js';
import { setUpBackend, type Backend } from '../store/harness.js';

function captureIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    isTty: false,
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
  };
}

describe('operator commands', () => {
  let backend: Backend;
  let store: Store;
  let ctx: LearningContext;

  beforeAll(async () => {
    backend = await setUpBackend('pglite', 'cli');
    store = await backend.open();
    const config = loadConfig({
      PARLEY_MODEL: await tinyBaseModel(),
      PARLEY_BASE_DATA: writeShopData(backend.dataDir),
    });
    ctx = await learningContext(config, store, pino({ level: 'silent' }));
  }, 120_000);

  afterAll(async () => {
    await store.close();
    await backend.cleanup();
  });

  it('lists the subcommands in `parley --help`', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(0);
    const help = io.out.join('');
    for (const name of ['retrain', 'models', 'promote', 'rollback', 'import']) {
      expect(help).toMatch(new RegExp(`\\n  ${name}\\b`));
    }
  });

  it('retrains to the end and prints one JSON object with the run', async () => {
    await seedCorrections(store, refundAndStatusCorrections());
    const io = captureIo();
    await runRetrainCommand(ctx, { json: true }, io);

    expect(io.out).toHaveLength(1);
    const result = JSON.parse(io.out[0]);
    expect(Object.keys(result)).toEqual([
      'runId',
      'status',
      'decision',
      'reason',
      'candidateVersion',
      'metrics',
    ]);
    expect(result).toMatchObject({
      status: 'succeeded',
      decision: 'promoted',
      candidateVersion: 'v2',
    });
    expect(result.metrics.before.intentAccuracy).toBeGreaterThan(0.9);
    expect(result.metrics.after.perIntentF1.refund_request).toBeGreaterThan(0.9);
  });

  it('lists models, rolls back and promotes, each as JSON, and audits both changes', async () => {
    const io = captureIo();
    const models = await runModelsCommand(ctx, { json: true }, io);
    expect(
      JSON.parse(io.out[0]).models.map((m: { version: string; status: string }) => [
        m.version,
        m.status,
      ]),
    ).toEqual([
      ['v2', 'active'],
      ['v1', 'retired'],
    ]);
    expect(models).toHaveLength(2);

    await runRollbackCommand(ctx, undefined, { json: true }, io);
    expect(JSON.parse(io.out[1])).toEqual({ version: 'v1', previous: 'v2', changed: true });
    await runPromoteCommand(ctx, 'v2', { json: true }, io);
    expect(JSON.parse(io.out[2])).toEqual({ version: 'v2', previous: 'v1', changed: true });
    await expect(runPromoteCommand(ctx, 'v999', {}, io)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const audit = await store.db.select().from(adminAudit);
    expect(audit.map((a) => [a.platform, a.command, a.args, a.outcome?.split(':')[0]])).toEqual([
      ['cli', 'rollback', '', 'ok'],
      ['cli', 'promote', 'v2', 'ok'],
      ['cli', 'promote', 'v999', 'error'],
    ]);
  });

  it('imports base data with frozen splits, and the next run sees it as new', async () => {
    const path = join(backend.dataDir, 'more.jsonl');
    writeFileSync(
      path,
      [
        JSON.stringify({
          text: 'what are your opening hours',
          intent: 'out_of_scope',
          entities: [],
        }),
        JSON.stringify({
          text: 'refund A1234',
          intent: 'refund_request',
          entities: [{ type: 'order_id', start: 7, end: 40 }],
        }),
      ].join('\n'),
    );
    const io = captureIo();
    const result = await runImportCommand(ctx, path, { json: true }, io);
    expect(result).toMatchObject({ read: 2, imported: 1, written: 1 });
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ line: 2 });
  });
});
