import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadDomain } from '../../src/conversation/domain.js';
import { createFeedbackService } from '../../src/conversation/feedback.js';
import { createStoreGateway } from '../../src/conversation/gateway.js';
import { createConversationService } from '../../src/conversation/pipeline.js';
import type { ConversationStore } from '../../src/conversation/store-port.js';
import type { EscalationNotice } from '../../src/conversation/types.js';
import type { NluEngine } from '../../src/nlu/types.js';
import { createFakeNlu, createMemoryStore } from './doubles.js';

/** Log lines a test can look at. */
export function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

export interface HarnessOptions {
  store?: ConversationStore;
  nlu?: NluEngine;
  handoffAfterFallbacks?: number;
  withNotifier?: boolean;
}

/** Conversation and feedback services over test doubles, with short store timeouts. */
export function createHarness(options: HarnessOptions = {}) {
  const memory = createMemoryStore();
  const store = options.store ?? memory;
  const fakeNlu = createFakeNlu();
  let engine: NluEngine = options.nlu ?? fakeNlu;
  const { logger, lines } = captureLogger();
  const notices: EscalationNotice[] = [];

  const gateway = createStoreGateway({
    store,
    logger,
    readTimeoutMs: 200,
    queue: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  const conversation = createConversationService({
    store: gateway,
    nlu: () => engine,
    domain: loadDomain('test/fixtures/domain-shop.yml'),
    config: {
      PARLEY_HANDOFF_AFTER_FALLBACKS: options.handoffAfterFallbacks ?? 2,
      PARLEY_ESCALATION_TARGET: 'slack:C_ESCALATE',
    },
    logger,
    notifier:
      options.withNotifier === false ? undefined : { notify: async (n) => void notices.push(n) },
  });
  const feedback = createFeedbackService({
    store: gateway,
    nlu: () => engine,
    logger,
    saveWaitMs: 100,
  });

  return {
    memory,
    fakeNlu,
    gateway,
    conversation,
    feedback,
    notices,
    logs: lines,
    swapEngine: (next: NluEngine) => void (engine = next),
    close: () => gateway.queue.close(),
  };
}
