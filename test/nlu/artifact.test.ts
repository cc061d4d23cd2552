import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isParleyError, type ErrorCode } from '../../src/core/errors.js';
import { loadArtifact, saveArtifact, type NluManifest } from '../../src/nlu/artifact.js';
import { createNluEngine, loadNluEngine } from '../../src/nlu/runtime.js';
import type { ModelArtifact } from '../../src/nlu/artifact.js';
import { toyExamples, trainToy } from './toy.js';

let root: string;
let saved: string;
let artifact: ModelArtifact;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parley-artifact-'));
  saved = join(root, 'model');
  artifact = (await trainToy({ training: { epochs: 20 } })).artifact;
  await saveArtifact(saved, artifact);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh copy of the saved model, changed by `change`. */
async function broken(name: string, change: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(root, name);
  await cp(saved, dir, { recursive: true });
  await change(dir);
  return dir;
}

async function editManifest(dir: string, edit: (m: NluManifest) => void): Promise<void> {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as NluManifest;
  edit(manifest);
  await writeFile(path, JSON.stringify(manifest));
}

async function expectLoadError(dir: string, code: ErrorCode, message: RegExp): Promise<void> {
  const error = await loadNluEngine(dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isParleyError(error, code), String(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
}

describe('model artifact', () => {
  it('round-trips: train, save, load, predict gives identical results', async () => {
    const texts = [...toyExamples().map((e) => e.text), 'where is my order Q4242?', ''];
    const inMemory = await createNluEngine(artifact);
    const fromDisk = await loadNluEngine(saved);
    expect(await fromDisk.predictBatch(texts)).toEqual(await inMemory.predictBatch(texts));
    expect(fromDisk.version).toBe(artifact.manifest.version);
    await Promise.all([inMemory.release(), fromDisk.release()]);
  });

  it('writes a manifest with labels, featurizer, calibration, data hash and checksum', async () => {
    const loaded = await loadArtifact(saved);
    const { manifest } = loaded;
    expect(manifest.labels.intents).toEqual([
      'greet',
      'order_status',
      'out_of_scope',
      'refund_request',
    ]);
    expect(manifest.labels.tags).toEqual(['O', 'B-order_id', 'I-order_id']);
    expect(manifest.featurizer).toMatchObject({
      format: 'parley-featurizer',
      config: { seed: 0x5eed },
    });
    expect(manifest.training.dataHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(manifest.parentVersion).toBeNull();
    expect(Date.parse(manifest.createdAt)).not.toBeNaN();
    expect(loaded.weights.get('intent.head.w')?.dims).toEqual([64, 4]); // [__CLS__; mean] pooling: 2H rows
  });

  it('names a missing folder, manifest or graph', async () => {
    await expectLoadError(join(root, 'nowhere'), 'MODEL_NOT_FOUND', /does not exist.*parley train/);
    const noManifest = await broken('no-manifest', (dir) => rm(join(dir, 'manifest.json')));
    await expectLoadError(noManifest, 'MODEL_INVALID', /has no manifest\.json/);
    const noGraph = await broken('no-graph', (dir) => rm(join(dir, 'model.onnx')));
    await expectLoadError(noGraph, 'MODEL_INVALID', /has no model\.onnx/);
  });

  it('rejects a manifest that is not JSON or has wrong fields', async () => {
    const badJson = await broken('bad-json', (dir) =>
      writeFile(join(dir, 'manifest.json'), '{"format": '),
    );
    await expectLoadError(badJson, 'MODEL_INVALID', /manifest\.json is not valid JSON/);
    const badFields = await broken('bad-fields', (dir) =>
      editManifest(dir, (m) => {
        (m.calibration as { threshold: unknown }).threshold = 'high';
        (m as { labels: unknown }).labels = { intents: [] };
      }),
    );
    await expectLoadError(
      badFields,
      'MODEL_INVALID',
      /labels\.intents: [\s\S]*calibration\.threshold: /,
    );
    const future = await broken('future', (dir) =>
      editManifest(dir, (m) => (m.formatVersion = 99)),
    );
    await expectLoadError(future, 'MODEL_INVALID', /format version 99/);
  });

  it('detects a corrupt or replaced model.onnx by its checksum', async () => {
    const flipped = await broken('flipped', async (dir) => {
      const bytes = await readFile(join(dir, 'model.onnx'));
      bytes[bytes.length - 10] ^= 0xff;
      await writeFile(join(dir, 'model.onnx'), bytes);
    });
    await expectLoadError(flipped, 'MODEL_INVALID', /does not match the checksum/);
    const truncated = await broken('truncated', async (dir) => {
      const bytes = await readFile(join(dir, 'model.onnx'));
      await writeFile(join(dir, 'model.onnx'), bytes.subarray(0, 100));
    });
    await expectLoadError(truncated, 'MODEL_INVALID', /truncated or was replaced/);
  });

  it('detects labels that do not match the graph output sizes', async () => {
    const extraIntent = await broken('extra-intent', (dir) =>
      editManifest(dir, (m) => m.labels.intents.push('cancel_order')),
    );
    await expectLoadError(extraIntent, 'MODEL_INVALID', /intent\.head\.w has 4 .* 5 intents/);
    const badTags = await broken('bad-tags', (dir) =>
      editManifest(dir, (m) => (m.labels.tags = ['B-order_id', 'I-order_id', 'O'])),
    );
    await expectLoadError(badTags, 'MODEL_INVALID', /first tag must be "O"/);
    const twice = await broken('twice', (dir) =>
      editManifest(dir, (m) => (m.labels.intents[1] = m.labels.intents[0])),
    );
    await expectLoadError(twice, 'MODEL_INVALID', /listed twice/);
  });

  it('detects a featurizer whose id space does not match the feature table', async () => {
    const grown = await broken('grown-vocab', (dir) =>
      editManifest(dir, (m) => (m.featurizer as { vocab: string[] }).vocab.push('zzz')),
    );
    await expectLoadError(
      grown,
      'MODEL_INVALID',
      /embed\.features has \d+ .*featurizer's id space/,
    );
  });
});
