import { ParleyError } from '../core/errors.js';
import { logger as componentLogger, type Logger } from '../core/log.js';
import {
  checkArtifact,
  checkManifest,
  loadArtifact,
  type LoadedArtifact,
  type ModelArtifact,
} from '../nlu/artifact.js';
import { createNluEngine, type LoadedNluEngine } from '../nlu/runtime.js';
import type { Device } from '../nlu/session.js';
import type { ActiveModel } from './active-model.js';
import type { ListenPort, ModelVersionInfo, ModelVersionsPort, PromotionNotice } from './ports.js';

/**
 * The model registry on top of the model_versions table: every version's model.onnx bytes (the
 * `artifact` column, checked against its sha256) and manifest, its metrics, status and parent.
 *
 * Version names: the registry's number is the version. Engines loaded from it are named `v<n>`
 * (the manifest's own `version`, set by the trainer, is kept in the stored row but replaced when
 * loading), so every prediction records `v<n>` and admins type `promote v3`.
 */

/** LISTEN/NOTIFY channel of promotions (src/store/model-versions-repo.ts sends on it). */
export const MODEL_CHANNEL = 'parley_model';

export function versionLabel(version: number): string {
  return `v${version}`;
}

/** `v3`, `V3` or `3` to 3; BAD_REQUEST otherwise. */
export function parseVersionLabel(label: string): number {
  const match = /^v?(\d{1,9})$/iu.exec(label.trim());
  const version = match ? Number(match[1]) : 0;
  if (version < 1) {
    throw new ParleyError(
      'BAD_REQUEST',
      `${JSON.stringify(label)} is not a model version; versions look like v3 (\`models\` lists them)`,
    );
  }
  return version;
}

export interface ModelRegistryOptions {
  repo: ModelVersionsPort;
  /** Where promotions are heard; without it `follow` only checks at start. */
  listen?: ListenPort;
  device?: Device;
  logger?: Logger;
}

export interface CandidateInput {
  artifact: ModelArtifact;
  parentVersion: number;
  runId: string;
  metrics?: Record<string, unknown>;
}

export interface ModelRegistry {
  /**
   * First start: when the registry is empty, the model folder `dir` becomes version 1, active.
   * Safe to call from several instances at once; exactly one creates the row.
   */
  ensureInitial(
    dir: string,
    metrics?: Record<string, unknown>,
  ): Promise<{ created: boolean; version: number }>;
  activeVersion(): Promise<number | undefined>;
  /** The active version's row (without bytes) and its checked artifact. */
  active(): Promise<{ info: ModelVersionInfo; artifact: LoadedArtifact }>;
  /** A version's checked artifact, its manifest naming it `v<n>`. NOT_FOUND when unknown. */
  artifact(version: number): Promise<LoadedArtifact>;
  loadEngine(version: number): Promise<LoadedNluEngine>;
  get(version: number): Promise<ModelVersionInfo | undefined>;
  list(): Promise<ModelVersionInfo[]>;
  addCandidate(input: CandidateInput): Promise<number>;
  promote(version: number): Promise<PromotionNotice>;
  rollback(): Promise<PromotionNotice>;
  reject(version: number): Promise<void>;
  setMetrics(version: number, metrics: Record<string, unknown>): Promise<void>;
  /**
   * Keeps `model` on the active version: swaps when a promotion is announced (by this or any
   * instance), and checks again after the listening connection comes back. Resolves to a stop
   * function.
   */
  follow(model: ActiveModel): Promise<() => Promise<void>>;
}

export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  const { repo } = options;
  const log = options.logger ?? componentLogger('registry');

  async function row(version: number) {
    const found = await repo.get(version);
    if (!found) {
      throw new ParleyError(
        'NOT_FOUND',
        `There is no model ${versionLabel(version)}; \`models\` lists the versions.`,
      );
    }
    return found;
  }

  function toArtifact(found: {
    version: number;
    parentVersion: number | null;
    manifest: Record<string, unknown>;
    artifact: Uint8Array;
  }): LoadedArtifact {
    const where = `model ${versionLabel(found.version)} in the registry`;
    const manifest = checkManifest(found.manifest, where);
    const named = {
      ...manifest,
      version: versionLabel(found.version),
      parentVersion: found.parentVersion === null ? null : versionLabel(found.parentVersion),
    };
    // postgres.js returns a Buffer; onnxruntime and the checks want a plain view of the bytes.
    const onnx = new Uint8Array(
      found.artifact.buffer,
      found.artifact.byteOffset,
      found.artifact.byteLength,
    );
    return checkArtifact({ manifest: named, onnx }, where);
  }

  async function artifact(version: number): Promise<LoadedArtifact> {
    return toArtifact(await row(version));
  }

  async function loadEngine(version: number): Promise<LoadedNluEngine> {
    return createNluEngine(await artifact(version), { device: options.device });
  }

  async function active() {
    const found = await repo.getActive();
    if (!found) {
      throw new ParleyError(
        'MODEL_NOT_FOUND',
        'the model registry has no active version; start Parley once so the shipped model becomes v1',
      );
    }
    const { artifact: _bytes, ...info } = found;
    return { info, artifact: toArtifact(found) };
  }

  async function ensureInitial(dir: string, metrics?: Record<string, unknown>) {
    const shipped = await loadArtifact(dir);
    const result = await repo.ensureInitial({
      artifact: shipped.onnx,
      manifest: shipped.manifest as unknown as Record<string, unknown>,
      metrics: metrics ?? null,
      parentVersion: null,
      runId: null,
    });
    if (result.created) log.info({ dir, version: 'v1' }, 'shipped model registered as v1');
    return { created: result.created, version: result.active.version };
  }

  async function addCandidate(input: CandidateInput): Promise<number> {
    const info = await repo.insertCandidate({
      artifact: input.artifact.onnx,
      manifest: input.artifact.manifest as unknown as Record<string, unknown>,
      metrics: input.metrics ?? null,
      parentVersion: input.parentVersion,
      runId: input.runId,
    });
    return info.version;
  }

  async function follow(model: ActiveModel): Promise<() => Promise<void>> {
    const swapTo = (version: number, why: string) =>
      model
        .swap(versionLabel(version), () => loadEngine(version))
        .then(({ swapped }) => {
          if (swapped) log.info({ version: versionLabel(version), why }, 'now serving');
        })
        .catch((err: unknown) =>
          log.error(
            { err, version: versionLabel(version) },
            'swap failed; the old model serves on',
          ),
        );
    const recheck = (why: string) =>
      repo
        .activeVersion()
        .then((version) => (version === undefined ? undefined : swapTo(version, why)))
        .catch((err: unknown) => log.warn({ err }, 'could not read the active version'));

    const stop = options.listen
      ? await options.listen.listen(
          MODEL_CHANNEL,
          (payload) => {
            const notice = parseNotice(payload);
            if (notice) void swapTo(notice.version, 'promotion announced');
            else log.warn({ length: payload.length }, 'ignored a malformed promotion notice');
          },
          { onResubscribe: () => void recheck('listener reconnected') },
        )
      : async () => undefined;
    // A promotion between loading the first model and subscribing is caught here.
    await recheck('start');
    return stop;
  }

  return {
    ensureInitial,
    activeVersion: () => repo.activeVersion(),
    active,
    artifact,
    loadEngine,
    get: async (version) => {
      const found = await repo.get(version);
      if (!found) return undefined;
      const { artifact: _bytes, ...info } = found;
      return info;
    },
    list: () => repo.list(),
    addCandidate,
    promote: (version) => repo.promote(version),
    rollback: () => repo.rollback(),
    reject: (version) => repo.reject(version),
    setMetrics: (version, metrics) => repo.setMetrics(version, metrics),
    follow,
  };
}

function parseNotice(payload: string): PromotionNotice | undefined {
  try {
    const value = JSON.parse(payload) as Partial<PromotionNotice>;
    return Number.isInteger(value.version) ? (value as PromotionNotice) : undefined;
  } catch {
    return undefined;
  }
}
