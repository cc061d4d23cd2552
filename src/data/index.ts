/** Training data: the canonical example, importers, exporters and BIO conversion. */
export type * from './example.js';
export { alignEntities, fromBio, parseTag, toBio } from './bio.js';
export type { BioAlignment, EntitySpan, Misalignment } from './bio.js';
export { toJsonl, writeJsonl } from './jsonl.js';
export { normalizeIntent } from './jointbert.js';
export { assertValid, loadDataset, writeRasaYaml, type LoadOptions } from './load.js';
export { parseMarkup, toMarkup } from './rasa-markup.js';
export { toRasaYaml, type RasaExport } from './rasa.js';
