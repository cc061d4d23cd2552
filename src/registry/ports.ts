import type { EntityAnnotation } from '../data/example.js';

/**
 * The store repositories the registry and the retraining job use, as narrow structural ports.
 * src/store's `create*Repo(store)` objects satisfy them; tests may pass in-memory ones.
 */

export type ModelStatus = 'candidate' | 'active' | 'rejected' | 'retired';

/** A registry row without its artifact bytes. */
export interface ModelVersionInfo {
  version: number;
  status: ModelStatus;
  sha256: string;
  manifest: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  parentVersion: number | null;
  runId: string | null;
  createdAt: Date;
  promotedAt: Date | null;
}

export interface ModelVersionRow extends ModelVersionInfo {
  /** The bytes of model.onnx; the manifest is the `manifest` column. */
  artifact: Uint8Array;
}

export interface NewModelVersion {
  artifact: Uint8Array;
  manifest: Record<string, unknown>;
  metrics?: Record<string, unknown> | null;
  parentVersion?: number | null;
  runId?: string | null;
}

export interface PromotionNotice {
  version: number;
  previous: number | null;
}

export interface ModelVersionsPort {
  insertCandidate(input: NewModelVersion): Promise<ModelVersionInfo>;
  ensureInitial(input: NewModelVersion): Promise<{ created: boolean; active: ModelVersionInfo }>;
  getActive(): Promise<ModelVersionRow | undefined>;
  activeVersion(): Promise<number | undefined>;
  get(version: number): Promise<ModelVersionRow | undefined>;
  list(): Promise<ModelVersionInfo[]>;
  /** One transaction; announced on the model channel when the active version changed. */
  promote(version: number): Promise<PromotionNotice>;
  rollback(): Promise<PromotionNotice>;
  reject(version: number): Promise<void>;
  setMetrics(version: number, metrics: Record<string, unknown>): Promise<void>;
}

export type Split = 'train' | 'test';
export type ExampleOrigin = 'base' | 'feedback' | 'import';

export interface ExampleInput {
  text: string;
  intent: string;
  entities: EntityAnnotation[];
  source?: string;
}

export interface TrainingExampleRow {
  id: number;
  text: string;
  intent: string;
  entities: EntityAnnotation[];
  origin: ExampleOrigin;
  split: Split;
  source: string | null;
  textHash: string;
}

export interface TrainingExamplesPort {
  insertMany(
    inputs: ExampleInput[],
    opts: { origin: ExampleOrigin; onConflict?: 'ignore' | 'replace'; testFraction?: number },
  ): Promise<{ written: number; skipped: number }>;
  list(filter?: { split?: Split; origins?: ExampleOrigin[] }): Promise<TrainingExampleRow[]>;
  counts(): Promise<{ origin: ExampleOrigin; split: Split; n: number }[]>;
}

/** The notification channel side of the store. */
export interface ListenPort {
  listen(
    channel: string,
    handler: (payload: string) => void,
    opts?: { onResubscribe?: () => void },
  ): Promise<() => Promise<void>>;
}
