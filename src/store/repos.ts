import { createAdminAuditRepo, type AdminAuditRepo } from './admin-audit-repo.js';
import { createConversationsRepo, type ConversationsRepo } from './conversations-repo.js';
import { createFeedbackRepo, type FeedbackRepo } from './feedback-repo.js';
import { createMessagesRepo, type MessagesRepo } from './messages-repo.js';
import { createModelVersionsRepo, type ModelVersionsRepo } from './model-versions-repo.js';
import { createPredictionsRepo, type PredictionsRepo } from './predictions-repo.js';
import {
  createProcessedMessagesRepo,
  type ProcessedMessagesRepo,
} from './processed-messages-repo.js';
import type { Store } from './store.js';
import { createTrainingExamplesRepo, type TrainingExamplesRepo } from './training-examples-repo.js';
import { createTrainingRunsRepo, type TrainingRunsRepo } from './training-runs-repo.js';

/** Every repository over one store, for wiring the app in one line. */
export interface Repos {
  conversations: ConversationsRepo;
  messages: MessagesRepo;
  predictions: PredictionsRepo;
  processedMessages: ProcessedMessagesRepo;
  feedback: FeedbackRepo;
  trainingExamples: TrainingExamplesRepo;
  modelVersions: ModelVersionsRepo;
  trainingRuns: TrainingRunsRepo;
  adminAudit: AdminAuditRepo;
}

export function createRepos(store: Store): Repos {
  return {
    conversations: createConversationsRepo(store),
    messages: createMessagesRepo(store),
    predictions: createPredictionsRepo(store),
    processedMessages: createProcessedMessagesRepo(store),
    feedback: createFeedbackRepo(store),
    trainingExamples: createTrainingExamplesRepo(store),
    modelVersions: createModelVersionsRepo(store),
    trainingRuns: createTrainingRunsRepo(store),
    adminAudit: createAdminAuditRepo(store),
  };
}
