import { eq } from 'drizzle-orm';
import type { Prediction } from '../nlu/types.js';
import { guard, IDEMPOTENT } from './errors.js';
import { predictions, type PredictionRow } from './schema.js';
import type { Store } from './store.js';

export interface PredictionsRepo {
  /**
   * Stores what the model said about an incoming message, with the version that said it. Entity
   * values must already be redacted, as the message text is.
   */
  insert(messageId: string, prediction: Prediction): Promise<PredictionRow>;
  getByMessage(messageId: string): Promise<PredictionRow | undefined>;
}

export function createPredictionsRepo(store: Store): PredictionsRepo {
  const { db } = store;

  async function insert(messageId: string, prediction: Prediction): Promise<PredictionRow> {
    // Stored as given: entity values come from the customer's text, so the caller passes them
    // through the same redaction as the message text.
    const rows = await guard('predictions.insert', () =>
      db
        .insert(predictions)
        .values({
          messageId,
          intent: prediction.intent.name,
          confidence: prediction.intent.confidence,
          entities: prediction.entities,
          ranking: prediction.ranking,
          modelVersion: prediction.modelVersion,
        })
        .returning(),
    );
    return rows[0];
  }

  async function getByMessage(messageId: string): Promise<PredictionRow | undefined> {
    const rows = await guard(
      'predictions.getByMessage',
      () => db.select().from(predictions).where(eq(predictions.messageId, messageId)),
      IDEMPOTENT,
    );
    return rows[0];
  }

  return { insert, getByMessage };
}
