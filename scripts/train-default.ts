/**
 * Trains the shipped default model from the shop data, reproducibly: the same data, settings,
 * seed, onnxruntime version and kind of CPU (onnxruntime's kernels differ by instruction set)
 * give a bit-identical model.onnx (its sha256 is printed, and stored in the manifest).
 *
 *   npx tsx scripts/train-default.ts [--out models/default/model]
 *
 * The settings (default-model-settings.ts) are the defaults of src/nlu/model.ts and
 * src/train/trainer.ts except where noted there; fewer hash buckets keep the artifact at a few MB.
 */
import { loadDataset, assertValid } from '../src/data/load.js';
import { saveArtifact } from '../src/nlu/artifact.js';
import { splitFor } from '../src/store/training-examples-repo.js';
import { train } from '../src/train/trainer.js';
import { DEFAULT_MODEL_SETTINGS } from './default-model-settings.js';

const DATA = new URL('../models/default/data/nlu.yml', import.meta.url).pathname;
const OUT = new URL('../models/default/model', import.meta.url).pathname;

async function main(): Promise<void> {
  const at = process.argv.indexOf('--out');
  const out = at >= 0 ? process.argv[at + 1] : OUT;
  const data = await loadDataset(DATA);
  assertValid(data);

  // Train on the frozen train split only: the registry scores every later candidate against
  // the frozen test split, and a v1 that had seen those texts would win every gate unfairly.
  const trainExamples = data.examples.filter((example) => splitFor(example.text) === 'train');

  const result = await train({
    train: trainExamples,
    synonyms: data.synonyms,
    regexes: data.regexes,
    lookups: data.lookups,
    ...DEFAULT_MODEL_SETTINGS,
    progress: 'auto',
  });
  await saveArtifact(out, result.artifact);
  const { manifest } = result.artifact;
  console.log(
    JSON.stringify(
      {
        out,
        version: manifest.version,
        sha256: manifest.onnx.sha256,
        megabytes: manifest.onnx.bytes / 1e6,
        epochs: manifest.training.epochs,
        bestEpoch: manifest.training.bestEpoch,
        seconds: manifest.training.durationMs / 1000,
        calibration: manifest.calibration,
        metrics: manifest.metrics,
      },
      null,
      2,
    ),
  );
}

await main();
