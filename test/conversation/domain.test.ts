import { describe, expect, it } from 'vitest';
import {
  checkDomainAgainstModel,
  DOMAIN_DEFAULTS,
  loadDomain,
  parseDomain,
} from '../../src/conversation/domain.js';
import { isParleyError } from '../../src/core/errors.js';

const FIXTURE = 'test/fixtures/domain-shop.yml';
const model = {
  intents: ['greet', 'order_status', 'refund_request', 'cancel_order', 'human_handoff'],
  entityTypes: ['order_id', 'tracking_number', 'email'],
  outOfScopeIntent: 'out_of_scope',
};

function errorOf(work: () => unknown): Error {
  try {
    work();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('loadDomain', () => {
  it('reads templates, required entities and hand-off rules', () => {
    const domain = loadDomain(FIXTURE);

    expect(domain.intents.order_status).toEqual({
      text: 'Order {order_id} is on its way.',
      required: [
        { entity: 'order_id', also: ['tracking_number'], ask: 'What is your order number?' },
      ],
    });
    expect(domain.handoff).toEqual({
      intents: ['human_handoff'],
      text: 'A person will take it from here.',
      afterFallbacks: undefined,
    });
    // `cancel_order:` with no body: no template, so the default reply answers it.
    expect(domain.intents.cancel_order).toEqual({ text: undefined, required: [] });
  });

  it('reads reply texts written as strings or as { text }', () => {
    const domain = loadDomain(FIXTURE);
    expect(domain.fallback).toBe('Sorry, I did not get that.');
    expect(domain.prompt).toBe('How can I help?');
    expect(domain.defaultReply).toBe('Noted.');
  });

  it('reads the shipped domain file', () => {
    const domain = loadDomain('models/default/domain.yml');
    expect(domain.prompt).toBe('How can I help?');
    expect(domain.handoff.intents).toContain('human_handoff');
    expect(domain.handoff.afterFallbacks).toBeGreaterThanOrEqual(1);
    expect(domain.intents.track_package.required[0]).toMatchObject({
      entity: 'order_id',
      also: ['tracking_number'],
    });
  });

  it('refuses a schema version it does not know', () => {
    const err = errorOf(() => parseDomain('version: 2\n', 'd.yml'));
    expect(err.message).toContain('version');
  });

  it('fills the documented defaults for keys left out', () => {
    const domain = parseDomain('version: 1\n', 'inline.yml');
    expect(domain.fallback).toBe(DOMAIN_DEFAULTS.fallback);
    expect(domain.prompt).toBe('How can I help?');
    expect(domain.defaultReply).toBe(DOMAIN_DEFAULTS.defaultReply);
    expect(domain.intents).toEqual({});
  });

  it('names the file and the key that is wrong', () => {
    const yaml = 'version: 1\nintents:\n  order_status:\n    required:\n      - entity: order_id\n';
    const err = errorOf(() => parseDomain(yaml, 'shop/domain.yml'));

    expect(isParleyError(err, 'DATA_INVALID')).toBe(true);
    expect(err.message).toContain('shop/domain.yml');
    expect(err.message).toContain('intents.order_status.required[0].ask');
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    const err = errorOf(() => parseDomain('version: 1\nhandof:\n  intents: []\n', 'd.yml'));
    expect(err.message).toMatch(/handof/);
  });

  it('reports YAML syntax errors with the file name', () => {
    const err = errorOf(() => parseDomain('version: [1\n', 'broken.yml'));
    expect(isParleyError(err, 'DATA_INVALID')).toBe(true);
    expect(err.message).toContain('broken.yml is not valid YAML');
  });

  it('says which file cannot be read', () => {
    const err = errorOf(() => loadDomain('no/such/domain.yml'));
    expect(isParleyError(err, 'NOT_FOUND')).toBe(true);
    expect(err.message).toContain('no/such/domain.yml');
  });
});

describe('checkDomainAgainstModel', () => {
  it('accepts a domain whose names the model knows', () => {
    expect(() => checkDomainAgainstModel(loadDomain(FIXTURE), model)).not.toThrow();
  });

  it('names every intent and entity type the model does not know', () => {
    const domain = loadDomain(FIXTURE);
    const err = errorOf(() =>
      checkDomainAgainstModel(domain, {
        ...model,
        intents: ['greet', 'order_status', 'cancel_order'],
        entityTypes: ['order_id'],
      }),
    );
    expect(err.message).toContain(
      'intents.order_status.required[0]: the model has no entity type "tracking_number"',
    );

    expect(isParleyError(err, 'DATA_INVALID')).toBe(true);
    expect(err.message).toContain(
      'intents.refund_request: the model has no intent "refund_request"',
    );
    expect(err.message).toContain('handoff.intents[0]: the model has no intent "human_handoff"');
    expect(err.message).toContain(
      'intents.refund_request.text: the model has no entity type "email"',
    );
  });

  it('lets the model know intents the domain never mentions', () => {
    const domain = parseDomain('version: 1\nintents:\n  greet:\n    text: Hi\n', 'd.yml');
    expect(() => checkDomainAgainstModel(domain, model)).not.toThrow();
  });
});
