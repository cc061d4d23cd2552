import { afterEach, describe, expect, it } from 'vitest';
import { eventCallback, sign, TEAM_ID } from './fake-slack.js';
import {
  capturingLogger,
  incomingRows,
  SIGNING_SECRET,
  startHarness,
  SUPPORT,
  type Harness,
} from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const message = {
  type: 'message',
  channel: SUPPORT,
  channel_type: 'channel',
  user: 'U_A',
  team: TEAM_ID,
  text: 'refund order A1234',
  ts: '1700000600.000100',
};

function nothingHappened() {
  expect(h.conversation.handled).toHaveLength(0);
  expect(incomingRows(h)).toHaveLength(0);
  expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
}

describe('POST /slack/events', () => {
  it('refuses a wrong signature with 401 and stores nothing', async () => {
    const { logger, lines } = capturingLogger();
    h = await startHarness({ logger });
    const delivery = await h.fake.deliverEvent(message, { signingSecret: 'not-the-secret' });
    await h.settle();

    expect(delivery.status).toBe(401);
    nothingHappened();
    const refusal = lines.find((line) => line.msg === 'slack request refused');
    expect(refusal).toMatchObject({ level: 40, reason: 'signature mismatch' });
    expect(JSON.stringify(lines)).not.toContain('refund order');
  });

  it('refuses a body changed after signing', async () => {
    h = await startHarness();
    const timestamp = Math.floor(Date.now() / 1000);
    const signed = JSON.stringify(eventCallback(message, 'Ev1'));
    const changed = signed.replace('A1234', 'A9999');
    const delivery = await h.fake.post(
      changed,
      {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': sign(SIGNING_SECRET, timestamp, signed),
      },
      { unsigned: true },
    );
    expect(delivery.status).toBe(401);
    nothingHappened();
  });

  it('refuses a stale timestamp even with a correct signature', async () => {
    h = await startHarness();
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const delivery = await h.fake.deliverEvent(message, { timestampS: sixMinutesAgo });
    await h.settle();
    expect(delivery.status).toBe(401);
    nothingHappened();
  });

  it('refuses a timestamp from more than five minutes in the future', async () => {
    h = await startHarness();
    const delivery = await h.fake.deliverEvent(message, {
      timestampS: Math.floor(Date.now() / 1000) + 400,
    });
    expect(delivery.status).toBe(401);
    nothingHappened();
  });

  it('refuses a request without signature headers', async () => {
    h = await startHarness();
    const raw = JSON.stringify(eventCallback(message, 'Ev2'));
    const delivery = await h.fake.post(
      raw,
      { 'content-type': 'application/json' },
      { unsigned: true },
    );
    expect(delivery.status).toBe(401);
    nothingHappened();
  });

  it('accepts a timestamp four minutes old', async () => {
    h = await startHarness();
    const delivery = await h.fake.deliverEvent(message, {
      timestampS: Math.floor(Date.now() / 1000) - 240,
    });
    await h.settle();
    expect(delivery.status).toBe(200);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('answers the url_verification challenge', async () => {
    h = await startHarness();
    const raw = JSON.stringify({ token: 'x', challenge: 'c-3a9f', type: 'url_verification' });
    const delivery = await h.fake.post(raw, { 'content-type': 'application/json' });
    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body)).toEqual({ challenge: 'c-3a9f' });
  });

  it("answers Slack's ssl_check without doing anything", async () => {
    h = await startHarness();
    const raw = 'ssl_check=1&token=x';
    const delivery = await h.fake.post(
      raw,
      { 'content-type': 'application/x-www-form-urlencoded' },
      { unsigned: true },
    );
    expect(delivery.status).toBe(200);
    nothingHappened();
  });

  it('answers 503 until start() has checked the token', async () => {
    h = await startHarness({ noStart: true });
    const delivery = await h.fake.deliverEvent(message);
    expect(delivery.status).toBe(503);
    nothingHappened();
  });

  it('answers 400 to a signed body that is not JSON', async () => {
    h = await startHarness();
    const delivery = await h.fake.post('{not json', { 'content-type': 'application/json' });
    expect(delivery.status).toBe(400);
  });
});
