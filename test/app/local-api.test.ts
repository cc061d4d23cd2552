import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { MAX_TEXT_LENGTH } from '../../adapters/local/index.js';
import { createLocalApiClient, runChatSession } from '../../src/cli/chat.js';
import { feedback, messages, predictions } from '../../src/store/schema.js';
import { APP_ENTITY_TYPES, startTestApp, type TestApp } from './harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const db = () => t.app.parts.store!.db;

/** Waits until the write-behind queue has stored everything. */
const flushed = () => t.app.parts.gateway.queue.flush(5_000);

describe('health', () => {
  it('says it is alive', async () => {
    expect(await t.get('/healthz')).toEqual({ status: 200, body: { alive: true } });
  });

  it('says it is ready when store and model are', async () => {
    const { status, body } = await t.get('/readyz');
    expect(status).toBe(200);
    expect(body).toMatchObject({ ready: true, store: 'up', model: 'test-v1' });
  });
});

describe('POST /api/messages', () => {
  it('answers with the reply, the prediction and the ids', async () => {
    const { status, body } = await t.post('/api/messages', {
      text: 'where is order A1234',
      userId: 'U_WEB',
    });

    expect(status).toBe(200);
    expect(body).toEqual({
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      conversationId: expect.any(String),
      reply: { text: 'Order A1234 is on its way.', kind: 'answer' },
      prediction: {
        intent: { name: 'order_status', confidence: 0.9 },
        entities: [{ type: 'order_id', value: 'A1234', start: 15, end: 20, confidence: 0.9 }],
        modelVersion: 'test-v1',
      },
    });
    await flushed();
    const [row] = await db().select().from(messages).where(eq(messages.id, body.messageId));
    expect(row).toMatchObject({ platform: 'local', userId: 'U_WEB', direction: 'in' });
    const [prediction] = await db()
      .select()
      .from(predictions)
      .where(eq(predictions.messageId, body.messageId));
    expect(prediction.modelVersion).toBe('test-v1');
  });

  it('continues a conversation given its conversationId', async () => {
    const first = await t.post('/api/messages', { text: 'I want a refund' });
    const second = await t.post('/api/messages', {
      text: 'A1234',
      conversationId: first.body.conversationId,
    });
    const fresh = await t.post('/api/messages', { text: 'where is my order' });

    expect(first.body.reply).toEqual({ text: 'Which order should I refund?', kind: 'ask' });
    expect(second.body.conversationId).toBe(first.body.conversationId);
    expect(second.body.reply.text).toBe(
      'I have started a refund for order A1234. We will write to.',
    );
    expect(fresh.body.conversationId).not.toBe(first.body.conversationId);
    expect(fresh.body.reply.kind).toBe('ask');
  });

  it('sends no reply for blank text (case C06)', async () => {
    const calls = t.nlu.calls.length;
    const { status, body } = await t.post('/api/messages', { text: ' \u200b\n' });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      messageId: null,
      reply: null,
      prediction: null,
      ignored: 'blank message',
    });
    expect(t.nlu.calls.length).toBe(calls);
  });

  it.each([
    ['bad JSON', '{"text": ', 400, 'BAD_JSON', /not valid JSON/],
    ['a JSON array', '[]', 400, 'BAD_REQUEST', /JSON object/],
    ['no text', { userId: 'U1' }, 400, 'BAD_REQUEST', /text is required/],
    ['text that is not a string', { text: 42 }, 400, 'BAD_REQUEST', /text is required/],
    [
      'an unknown field',
      { text: 'hi', message: 'hi' },
      400,
      'BAD_REQUEST',
      /Unknown field\(s\) message/,
    ],
    [
      'a malformed conversationId',
      { text: 'hi', conversationId: 'a b' },
      400,
      'BAD_REQUEST',
      /conversationId/,
    ],
    ['a malformed userId', { text: 'hi', userId: '' }, 400, 'BAD_REQUEST', /userId/],
    [
      'text over the limit',
      { text: 'a'.repeat(MAX_TEXT_LENGTH + 1) },
      413,
      'TOO_LARGE',
      /limit is 4000/,
    ],
    [
      'a body over the limit',
      { text: 'a'.repeat(70_000) },
      413,
      'TOO_LARGE',
      /request body is over/,
    ],
  ])('refuses %s with a JSON error', async (_label, body, status, code, message) => {
    const response = await t.post('/api/messages', body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toMatch(message);
  });
});

describe('POST /api/feedback', () => {
  async function answered(text = 'where is order A1234') {
    const { body } = await t.post('/api/messages', { text });
    return body.messageId as string;
  }

  it('stores thumbs down with who gave it, and lets them change it', async () => {
    const messageId = await answered();
    const down = await t.post('/api/feedback', { messageId, userId: 'U_WEB', kind: 'down' });
    const up = await t.post('/api/feedback', { messageId, userId: 'U_WEB', kind: 'up' });

    expect(down).toEqual({ status: 200, body: { feedbackId: expect.any(String), saved: true } });
    expect(up.body.feedbackId).toBe(down.body.feedbackId);
    const rows = await db().select().from(feedback).where(eq(feedback.messageId, messageId));
    expect(rows.map((r) => [r.userId, r.kind])).toEqual([['U_WEB', 'up']]);
  });

  it('stores a correction', async () => {
    const messageId = await answered('refund A1234 please');
    const { status } = await t.post('/api/feedback', {
      messageId,
      kind: 'correction',
      intent: 'cancel_order',
      entities: [{ type: 'order_id', start: 7, end: 12 }],
    });

    expect(status).toBe(200);
    const [row] = await db().select().from(feedback).where(eq(feedback.messageId, messageId));
    expect(row).toMatchObject({
      userId: 'local-user',
      kind: 'correction',
      correctedIntent: 'cancel_order',
      correctedEntities: [{ type: 'order_id', start: 7, end: 12, value: 'A1234' }],
    });
  });

  it.each([
    ['bad JSON', 'nope', 400, 'BAD_JSON'],
    ['no messageId', { kind: 'up' }, 400, 'BAD_REQUEST'],
    ['an unknown kind', { messageId: 'x', kind: 'meh' }, 400, 'BAD_REQUEST'],
    [
      'entities that are not a list',
      { messageId: 'x', kind: 'correction', entities: {} },
      400,
      'BAD_REQUEST',
    ],
    [
      'an unknown messageId',
      { messageId: '00000000-0000-4000-8000-000000000000', kind: 'up' },
      404,
      'NOT_FOUND',
    ],
  ])('refuses %s with a JSON error', async (_label, body, status, code) => {
    const response = await t.post('/api/feedback', body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message.length).toBeGreaterThan(10);
  });

  it('refuses a correction whose span is outside the message', async () => {
    const messageId = await answered('refund A1234');
    const response = await t.post('/api/feedback', {
      messageId,
      kind: 'correction',
      intent: 'refund_request',
      entities: [{ type: 'order_id', start: 7, end: 40 }],
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('0 <= start < end <= 12');
  });
});

describe('page and info', () => {
  it('serves the chat page with a strict content policy', async () => {
    const response = await fetch(`${t.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await response.text()).toContain('<script src="/chat.js"');
  });

  it('lists what a correction may name', async () => {
    const { body } = await t.get('/api/meta');
    expect(body).toMatchObject({ modelVersion: 'test-v1', maxTextLength: MAX_TEXT_LENGTH });
    expect(body.intents).toContain('refund_request');
    expect(body.entityTypes).toEqual(APP_ENTITY_TYPES);
  });

  it('counts stored rows', async () => {
    await flushed();
    const before = (await t.get('/api/stats')).body;
    await t.post('/api/messages', { text: 'hi' });
    await flushed();
    const after = (await t.get('/api/stats')).body;

    expect(after.store).toBe('up');
    expect(after.counts.messagesIn).toBe(before.counts.messagesIn + 1);
    expect(after.counts.predictions).toBe(before.counts.predictions + 1);
  });
});

describe('parley chat in the terminal', () => {
  it('talks through the API: replies, remembers the thread, and takes feedback', async () => {
    let out = '';
    const io = {
      stdout: (text: string) => void (out += text),
      stderr: () => undefined,
      isTty: false,
    };
    const input = Readable.from([
      'I want a refund\n',
      'A9876\n',
      '/down\n',
      '/fix cancel_order order_id=A9876\n',
      '/new\n',
      'A9876\n',
      '/quit\n',
    ]);
    await runChatSession({ client: createLocalApiClient(t.url), input, io, userId: 'U_TERM' });

    expect(out).toContain('parley> Which order should I refund?');
    expect(out).toContain('parley> I have started a refund for order A9876. We will write to.');
    expect(out).toContain('(thanks, feedback saved)');
    expect(out).toContain('(new conversation)');
    // In the new conversation the bare order id no longer continues the refund.
    expect(out).toContain('parley> Sorry, I did not get that.');
    await flushed();
    const rows = await db().select().from(feedback).where(eq(feedback.userId, 'U_TERM'));
    expect(rows.map((r) => [r.kind, r.correctedIntent])).toEqual([['correction', 'cancel_order']]);
  });
});

describe('web chat in a real browser', () => {
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    // A fresh profile folder (Playwright passes it as --user-data-dir).
    profile = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('sends a message, shows the reply, and stores a thumbs down', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/`);
    await page.locator('#text').fill('where is order B5678');
    await page.locator('#send').click();

    const reply = page.locator('li.bot').last();
    await expect
      .poll(() => reply.locator('.reply').textContent())
      .toBe('Order B5678 is on its way.');
    const messageId = await reply.getAttribute('data-message-id');

    await reply.locator('button[data-kind="down"]').click();
    await expect
      .poll(() => reply.locator('.status').textContent())
      .toBe('Thanks for the feedback.');
    await flushed();

    const rows = await db().select().from(feedback).where(eq(feedback.messageId, messageId!));
    expect(rows).toHaveLength(1);
    expect(rows[0].kind).toBe('down');
    expect(rows[0].userId).toMatch(/^web-/);
    await page.close();
  });
});
