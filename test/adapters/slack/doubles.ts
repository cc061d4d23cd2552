import type {
  AdminContext,
  AdminHandler,
  AdminReply,
  ReportAttachment,
} from '../../../src/admin/types.js';
import type {
  ConversationHandler,
  FeedbackHandler,
  FeedbackInput,
  HandleResult,
  IncomingMessage,
  MessageKey,
} from '../../../src/conversation/types.js';
import type { NluEngine, PredictedEntity, Prediction } from '../../../src/nlu/types.js';

/**
 * TEST DOUBLES for the Slack adapter suites. The conversation and feedback ports are Parley's
 * real services (src/conversation); what is doubled here is the NLU underneath them (a keyword
 * engine that only tells the tests' phrases apart), the admin handler (no implementation has
 * landed yet), and recorders that let a test see what crossed a port.
 */

export interface ShopNlu extends NluEngine {
  /** Every text the engine was asked about. */
  calls: string[];
  /** Runs before each prediction: a slow model in the tests. */
  beforePredict: (text: string) => Promise<void>;
}

const ORDER_ID = /\b[A-Z]\d{4}\b/g;

export function createShopNlu(): ShopNlu {
  const engine: ShopNlu = {
    version: 'slack-test-1',
    intents: ['greet', 'order_status', 'refund', 'human_handoff'],
    entityTypes: ['order_id', 'email'],
    outOfScopeIntent: 'out_of_scope',
    threshold: 0.5,
    calls: [],
    beforePredict: async () => undefined,
    predict: async (text) => {
      engine.calls.push(text);
      await engine.beforePredict(text);
      return classify(text, engine.version);
    },
    predictBatch: (texts) => Promise.all(texts.map((text) => engine.predict(text))),
  };
  return engine;
}

function classify(text: string, modelVersion: string): Prediction {
  const entities: PredictedEntity[] = [...text.matchAll(ORDER_ID)].map((match) => ({
    type: 'order_id',
    value: match[0],
    start: match.index,
    end: match.index + match[0].length,
    confidence: 0.97,
  }));

  let intent = { name: 'out_of_scope', confidence: 0.2 };
  if (/\brefund\b/i.test(text)) intent = { name: 'refund', confidence: 0.93 };
  else if (/\border\b/i.test(text)) intent = { name: 'order_status', confidence: 0.91 };
  else if (/^(hi|hello)\b/i.test(text)) intent = { name: 'greet', confidence: 0.95 };

  return { text, intent, ranking: [intent], entities, modelVersion, truncated: false };
}

/** A conversation port that remembers what crossed it. */
export interface RecordingConversation extends ConversationHandler {
  handled: IncomingMessage[];
  results: HandleResult[];
  forgotten: MessageKey[];
}

export function recordConversation(inner: ConversationHandler): RecordingConversation {
  const recorder: RecordingConversation = {
    handled: [],
    results: [],
    forgotten: [],
    handle: async (message) => {
      recorder.handled.push(message);
      const result = await inner.handle(message);
      recorder.results.push(result);
      return result;
    },
    forget: async (key) => {
      recorder.forgotten.push(key);
      await inner.forget(key);
    },
  };
  return recorder;
}

export interface RecordingFeedback extends FeedbackHandler {
  calls: FeedbackInput[];
}

export function recordFeedback(inner: FeedbackHandler): RecordingFeedback {
  const recorder: RecordingFeedback = {
    calls: [],
    record: (input) => {
      recorder.calls.push(input);
      return inner.record(input);
    },
    intents: () => inner.intents(),
    entityTypes: () => inner.entityTypes(),
  };
  return recorder;
}

export interface AuditEntry {
  userId: string;
  isAdmin: boolean;
  commandLine: string;
  allowed: boolean;
}

/** Admin commands with the slow parts as gates a test opens. */
export class MemoryAdmin implements AdminHandler {
  readonly audit: AuditEntry[] = [];
  readonly contexts: AdminContext[] = [];
  readonly versions = new Set(['v1', 'v2']);
  activeVersion = 'v2';
  retrainRuns = 0;
  /** Before `retrain` answers at all (the advisory-lock query). */
  lock: () => Promise<void> = async () => undefined;
  /** Training itself, after the run has started. */
  training: () => Promise<void> = async () => undefined;
  /** Building a report. */
  building: () => Promise<void> = async () => undefined;
  report: ReportAttachment = {
    runId: '7',
    markdown: '# Run 7\n\nintent accuracy 0.91 -> 0.94\n',
    chartPng: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
    headline: {
      verdict: 'promoted',
      summary: 'intent accuracy 0.91 -> 0.94, entity F1 0.88 -> 0.90',
    },
  };

  async execute(ctx: AdminContext, commandLine: string): Promise<AdminReply> {
    this.contexts.push(ctx);
    const [verb = 'help', ...rest] = commandLine.split(/\s+/).filter(Boolean);
    this.audit.push({
      userId: ctx.userId,
      isAdmin: ctx.isAdmin,
      commandLine,
      allowed: ctx.isAdmin,
    });
    if (!ctx.isAdmin)
      return { ok: false, text: `Only Parley admins can run "${verb}". This was logged.` };

    switch (verb) {
      case 'retrain':
        return this.retrain();
      case 'rollback':
        return this.rollback(rest[0]);
      case 'report':
        return {
          ok: true,
          text: 'Building the report...',
          later: this.building().then(() => ({
            text: 'Report for run 7 is ready.',
            report: this.report,
          })),
        };
      default:
        return { ok: true, text: 'Commands: retrain, rollback <version>, report' };
    }
  }

  private async retrain(): Promise<AdminReply> {
    await this.lock();
    const run = ++this.retrainRuns;
    return {
      ok: true,
      text: `Retrain run #${run} started.`,
      later: this.training().then(() => ({ text: `Retrain run #${run} finished: promoted.` })),
    };
  }

  private async rollback(version: string | undefined): Promise<AdminReply> {
    if (!version || !this.versions.has(version)) {
      return { ok: false, text: `Unknown model version ${version ?? '(none)'}; nothing changed.` };
    }
    this.activeVersion = version;
    return { ok: true, text: `Rolled back to ${version}.` };
  }
}

/** A promise and the function that settles it: a slow step a test finishes when it wants. */
export function gate(): { wait: () => Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open: () => open() };
}
