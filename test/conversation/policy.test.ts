import { describe, expect, it } from 'vitest';
import { loadDomain } from '../../src/conversation/domain.js';
import { decide, EMPTY_STATE, render, type DialogueState } from '../../src/conversation/policy.js';
import type { PredictedEntity, Prediction } from '../../src/nlu/types.js';

const domain = loadDomain('test/fixtures/domain-shop.yml');
const options = { outOfScopeIntent: 'out_of_scope', handoffAfterFallbacks: 2 };

function prediction(intent: string, entities: Partial<PredictedEntity>[] = []): Prediction {
  return {
    text: '',
    intent: { name: intent, confidence: 0.9 },
    ranking: [],
    entities: entities.map((e) => ({
      type: 'order_id',
      value: '',
      start: 0,
      end: 0,
      confidence: 1,
      ...e,
    })),
    modelVersion: 'v1',
    truncated: false,
  };
}

function turns(steps: Prediction[], state: DialogueState = EMPTY_STATE) {
  const out = [];
  for (const step of steps) {
    const decision = decide(domain, step, state, options);
    out.push(decision);
    state = decision.state;
  }
  return out;
}

describe('decide', () => {
  it('answers with the template, entity placeholders filled', () => {
    const [d] = turns([prediction('order_status', [{ value: 'A1234' }])]);
    expect(d.reply).toEqual({ text: 'Order A1234 is on its way.', kind: 'answer' });
    expect(d.state.slots).toEqual({ order_id: 'A1234' });
  });

  it('asks for a missing required entity, then continues once it is given', () => {
    const [ask, answer] = turns([
      prediction('refund_request'),
      // The bare answer "A1234" is out of scope for the model but holds the entity asked for.
      prediction('out_of_scope', [{ value: 'A1234' }]),
    ]);

    expect(ask.reply).toEqual({ text: 'Which order should I refund?', kind: 'ask' });
    expect(ask.state.pending).toEqual({ intent: 'refund_request', entity: 'order_id' });
    expect(answer.intent).toBe('refund_request');
    expect(answer.reply.text).toBe('I have started a refund for order A1234. We will write to.');
    expect(answer.state.pending).toBeUndefined();
  });

  it('continues the asked intent even when the model reads the bare answer as another intent', () => {
    const [, answer] = turns([
      prediction('refund_request'),
      prediction('order_status', [{ value: 'A1234' }]),
    ]);
    expect(answer.intent).toBe('refund_request');
  });

  it('lets a request for a person interrupt a question', () => {
    const [, answer] = turns([
      prediction('refund_request'),
      prediction('human_handoff', [{ value: 'A1234' }]),
    ]);
    expect(answer.reply.kind).toBe('handoff');
  });

  it('remembers filled slots for later intents in the conversation', () => {
    const [, later] = turns([
      prediction('refund_request', [{ value: 'A1234' }]),
      prediction('order_status'),
    ]);
    expect(later.reply.text).toBe('Order A1234 is on its way.');
  });

  it('continues the last intent for a follow-up that brings one of its entities', () => {
    const [, followUp] = turns([
      prediction('order_status', [{ value: 'A1234' }]),
      prediction('out_of_scope', [{ value: 'B5678' }]),
    ]);
    expect(followUp.intent).toBe('order_status');
    expect(followUp.reply.text).toBe('Order B5678 is on its way.');
  });

  it('takes an alternative entity for a requirement and shows it in the placeholder', () => {
    const [d] = turns([prediction('order_status', [{ type: 'tracking_number', value: '1Z999' }])]);
    expect(d.reply).toEqual({ text: 'Order 1Z999 is on its way.', kind: 'answer' });
  });

  it('accepts an alternative entity as the answer to its question', () => {
    const [, d] = turns([
      prediction('order_status'),
      prediction('out_of_scope', [{ type: 'tracking_number', value: '1Z999' }]),
    ]);
    expect(d.intent).toBe('order_status');
    expect(d.reply.text).toBe('Order 1Z999 is on its way.');
  });

  it('fills slots with the canonical value where a synonym gives one', () => {
    const [d] = turns([prediction('order_status', [{ value: 'a-1234', normalized: 'A1234' }])]);
    expect(d.reply.text).toBe('Order A1234 is on its way.');
  });

  it('gives an intent with no template the default reply', () => {
    const [d] = turns([prediction('cancel_order')]);
    expect(d.reply).toEqual({ text: 'Noted.', kind: 'answer' });
  });

  it('gives an intent the domain does not list the default reply', () => {
    const [d] = turns([prediction('ask_opening_hours')]);
    expect(d.reply).toEqual({ text: 'Noted.', kind: 'answer' });
  });

  it('falls back on out of scope, and hands off after the configured number in a row', () => {
    const [first, second, third] = turns([
      prediction('out_of_scope'),
      prediction('out_of_scope'),
      prediction('out_of_scope'),
    ]);

    expect(first.reply).toEqual({ text: 'Sorry, I did not get that.', kind: 'fallback' });
    expect(first.state.fallbackCount).toBe(1);
    expect(second.reply).toEqual({ text: 'A person will take it from here.', kind: 'handoff' });
    expect(second.handoff).toBe('fallbacks');
    expect(second.state).toMatchObject({ fallbackCount: 0, handedOff: true });
    expect(third.reply.kind).toBe('fallback');
  });

  it('resets the fallback count on an understood turn', () => {
    const [, greet, fallback] = turns([
      prediction('out_of_scope'),
      prediction('greet'),
      prediction('out_of_scope'),
    ]);
    expect(greet.state.fallbackCount).toBe(0);
    expect(fallback.reply.kind).toBe('fallback');
  });

  it('hands off at once when the person asks for it', () => {
    const [d] = turns([prediction('human_handoff')]);
    expect(d.reply.kind).toBe('handoff');
    expect(d.handoff).toBe('request');
  });
});

describe('render', () => {
  it('drops a placeholder with no value, with the space before it', () => {
    expect(render('Refund for {order_id} to {email}.', { order_id: 'A1' })).toBe(
      'Refund for A1 to.',
    );
  });

  it('keeps text without placeholders as it is', () => {
    expect(render('Hi there!', { order_id: 'A1' })).toBe('Hi there!');
  });
});
