import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/program.js';
import { toyExamples } from '../nlu/toy.js';

let root: string;
let model: string;
let data: string;

/** Runs the command line in process and collects what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    isTty: false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parley-cli-'));
  data = join(root, 'toy.jsonl');
  model = join(root, 'model');
  await writeFile(
    data,
    toyExamples()
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );
  const settings = join(root, 'tiny.json');
  await writeFile(
    settings,
    JSON.stringify({
      model: { hidden: 32, layers: 1, heads: 2, ffn: 64 },
      featurizer: { hashBuckets: 1024 },
      training: { devFraction: 0, batchSize: 8, learningRate: 5e-3 },
    }),
  );
  const trained = await cli(
    'train',
    '--data',
    data,
    '--out',
    model,
    '--epochs',
    '25',
    '--seed',
    '3',
    '--config',
    settings,
    '--no-progress',
  );
  expect(trained.stderr).toBe('');
  expect(trained.code).toBe(0);
  expect(trained.stdout).toMatch(/^model \S+ written to /);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('parley command line', () => {
  it('eval --json prints one JSON object with accuracy, entity F1 and OOS recall in 0..1', async () => {
    const { code, stdout } = await cli('eval', '--model', model, '--data', data, '--json');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(stdout);
    for (const value of [result.intent.accuracy, result.entities.f1, result.outOfScope.recall]) {
      expect(typeof value).toBe('number');
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    expect(result.intent.accuracy).toBe(1);
  });

  it('eval --workers 2 gives the same evaluation as one thread', async () => {
    // Several chunks of 64, so both workers answer some and the order of chunks matters.
    const many = join(root, 'many.jsonl');
    const lines = Array.from({ length: 5 }, () => toyExamples().map((e) => JSON.stringify(e)));
    await writeFile(many, lines.flat().join('\n'));
    const one = await cli('eval', '--model', model, '--data', many, '--json');
    const two = await cli('eval', '--model', model, '--data', many, '--json', '--workers', '2');
    expect(JSON.parse(one.stdout).count).toBeGreaterThan(128);
    expect(two.code).toBe(0);
    expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout));
    const zero = await cli('eval', '--model', model, '--data', data, '--workers', '0');
    expect(zero.code).toBe(2);
  });

  it('eval without --json prints a classification report', async () => {
    const { code, stdout } = await cli(
      'eval',
      '--model',
      model,
      '--data',
      data,
      '--format',
      'jsonl',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/refund_request/);
    expect(stdout).toMatch(/order_id/);
  });

  it('predict --json prints the intent and entities with offsets into the text', async () => {
    const { code, stdout } = await cli('predict', '--model', model, '--json', 'refund order A1234');
    expect(code).toBe(0);
    const prediction = JSON.parse(stdout);
    expect(prediction.intent.name).toBe('refund_request');
    expect(prediction.entities).toMatchObject([
      { type: 'order_id', value: 'A1234', start: 13, end: 18 },
    ]);
  });

  it('predict joins several words and prints a readable answer', async () => {
    const { code, stdout } = await cli(
      'predict',
      '--model',
      model,
      'where',
      'is',
      'my',
      'order',
      'B5678',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^order_status \([01]\.\d{3}\)\n {2}order_id = "B5678" \[18, 23\)/);
  });

  it('reports errors on stderr with a code and a non-zero exit', async () => {
    const missing = await cli('predict', '--model', join(root, 'nope'), 'hi');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(
      /^error \[MODEL_NOT_FOUND\]: model folder .*nope does not exist/,
    );

    const noData = await cli('eval', '--model', model, '--data', join(root, 'none.yml'));
    expect(noData.code).toBe(1);
    expect(noData.stderr).toMatch(/error \[DATA_INVALID\]/);
  });

  it('fails clearly when --device cuda has no CUDA provider to run on', async () => {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('onnxruntime-node/package.json'));
    const library = join(root, 'bin', 'napi-v6', process.platform, process.arch);
    if (existsSync(join(library, 'libonnxruntime_providers_cuda.so'))) return;
    const result = await cli('predict', '--model', model, '--device', 'cuda', 'hi');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error \[DEVICE_UNAVAILABLE\]: .*--device cpu/);
    const training = await cli(
      'train',
      '--data',
      data,
      '--out',
      join(root, 'cuda'),
      '--device',
      'cuda',
    );
    expect(training.code).toBe(1);
    expect(training.stderr).toMatch(/DEVICE_UNAVAILABLE/);
  });

  it('rejects bad usage with exit code 2', async () => {
    const noOut = await cli('train', '--data', data);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out/);
    const badFormat = await cli('eval', '--model', model, '--data', data, '--format', 'xml');
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/rasa, jointbert, csv, jsonl/);
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
  });
});
