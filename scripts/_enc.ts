import { loadArtifact } from '../src/nlu/artifact.js';
import { tokenize } from '../src/nlu/tokenize.js';
import { loadDataset } from '../src/data/load.js';
const texts = (await loadDataset('models/default/data/nlu.yml')).examples.map((e) => e.text);
const art = await loadArtifact(process.argv[2]);
const f = art.featurizer;
for (let r = 0; r < 3; r++) {
  let s = performance.now();
  for (const t of texts) tokenize(t);
  const tok = (performance.now() - s) / texts.length;
  s = performance.now();
  for (const t of texts) f.encode(t + ' ' + r);
  console.log('tokenize ms', tok.toFixed(4), 'encode ms', ((performance.now() - s) / texts.length).toFixed(4));
}
