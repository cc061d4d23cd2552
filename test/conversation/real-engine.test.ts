import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDomainAgainstModel, parseDomain } from '../../src/conversation/domain.js';
import { createStoreGateway } from '../../src/conversation/gateway.js';
import { createConversationService } from '../../src/conversation/pipeline.js';
import type { HandleResult } from '../../src/conversation/types.js';
import { createNluEngine, type LoadedNluEngine } from '../../src/nlu/runtime.js';
import { trainToy } from '../nlu/toy.js';
import { createMemoryStore, incoming, silentLogger } from './doubles.js';

// The pipeline on the real NLU runtime (a tiny model trained in-process from the toy shop set),
// so the product code is exercised with a real NluEngine and not only with the keyword double.
const DOMAIN = `
version: 1
handoff: { intents: [], after_fallbacks: 3 }
intents:
  greet: { text: Hello! }
  order_status:
    text: Order {order_id} is on its way.
    required: [{ entity: order_id, ask: Which order? }]
  refund_request:
    text: Refund started for {order_id}.
    required: [{ entity: order_id, ask: Which order should I refund? }]
`;

let engine: LoadedNluEngine;
beforeAll(async () => {
  engine = await createNluEngine((await trainToy()).artifact);
});
afterAll(async () => engine?.release());

function setup() {
  const store = createMemoryStore();
  const gateway = createStoreGateway({ store, logger: silentLogger });
  const domain = parseDomain(DOMAIN, 'toy-domain.yml');
  checkDomainAgainstModel(domain, engine);
  const conversation = createConversationService({
    store: gateway,
    nlu: () => engine,
    domain,
    config: { PARLEY_HANDOFF_AFTER_FALLBACKS: undefined, PARLEY_ESCALATION_TARGET: undefined },
    logger: silentLogger,
  });
  return { store, gateway, conversation };
}

function replied(result: HandleResult) {
  if (result.status !== 'replied') throw new Error(`expected a reply, got ${result.status}`);
  return result;
}

describe('conversation pipeline on the real NLU runtime', () => {
  it('answers from the prediction and stores the engine version', async () => {
    const { store, gateway, conversation } = setup();
    const result = replied(await conversation.handle(incoming('where is my order A1234')));
    await gateway.queue.flush(1_000);

    expect(result.prediction?.intent.name).toBe('order_status');
    expect(result.reply.text).toBe('Order A1234 is on its way.');
    const [prediction] = store.predictions.values();
    expect(prediction.modelVersion).toBe(engine.version);
    expect(prediction.entities.map((e) => e.value)).toEqual(['A1234']);
  });

  it('falls back on out-of-scope text', async () => {
    const { conversation } = setup();
    const result = replied(await conversation.handle(incoming('tell me a joke')));
    expect(result.prediction?.intent.name).toBe(engine.outOfScopeIntent);
    expect(result.reply.kind).toBe('fallback');
  });

  it('refuses a domain naming an intent the model does not know', () => {
    const domain = parseDomain('version: 1\nintents:\n  cancel_order: { text: Done }\n', 'd.yml');
    expect(() => checkDomainAgainstModel(domain, engine)).toThrow(
      'intents.cancel_order: the model has no intent "cancel_order"',
    );
  });
});
