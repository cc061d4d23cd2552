/**
 * What the NLU returns for one message. Entity offsets are UTF-16 indices into the text as
 * received (end-exclusive): `text.slice(start, end) === value`.
 */
export interface PredictedEntity {
  type: string;
  value: string;
  start: number;
  end: number;
  /** 0..1 */
  confidence: number;
  /** Canonical value from a synonym table, when one applies. */
  normalized?: string;
}

export interface IntentScore {
  name: string;
  /** 0..1, calibrated. */
  confidence: number;
}

export interface Prediction {
  text: string;
  /** The chosen intent; `out_of_scope` (or the configured name) below the model's threshold. */
  intent: IntentScore;
  /** Every known intent, best first. */
  ranking: IntentScore[];
  entities: PredictedEntity[];
  modelVersion: string;
  /** True when the text was longer than the model's input limit and only a prefix was read. */
  truncated: boolean;
}

/** A loaded model that can be asked about text. Safe under concurrent calls. */
export interface NluEngine {
  readonly version: string;
  readonly intents: readonly string[];
  readonly entityTypes: readonly string[];
  /** Name of the out-of-scope intent, `out_of_scope` unless configured otherwise. */
  readonly outOfScopeIntent: string;
  readonly threshold: number;
  predict(text: string): Promise<Prediction>;
  predictBatch(texts: readonly string[]): Promise<Prediction[]>;
}
