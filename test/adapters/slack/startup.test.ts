import { afterEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../../adapters/slack/index.js';
import { loadConfig } from '../../../src/config.js';
import { isParleyError } from '../../../src/core/errors.js';
import { startHarness, type Harness } from './harness.js';
import { gate, MemoryAdmin } from './doubles.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Ports that must never be reached: these tests stop before any message. */
function ports() {
  const unreachable = async (): Promise<never> => {
    throw new Error('not reached in start-up tests');
  };
  return {
    conversation: { handle: unreachable, forget: unreachable },
    feedback: { record: unreachable, intents: () => [], entityTypes: () => [] },
    admin: new MemoryAdmin(),
  };
}

describe('starting the Slack adapter', () => {
  it('turns a bad bot token into one CONFIG_INVALID error naming SLACK_BOT_TOKEN', async () => {
    h = await startHarness({ noStart: true, env: { SLACK_BOT_TOKEN: 'xoxb-revoked' } });
    const started = h.adapter.start();
    await expect(started).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('auth.test answered "invalid_auth"'),
    });
    await started.catch((err: unknown) => {
      expect((err as Error).message).toContain('SLACK_BOT_TOKEN');
      expect((err as Error).message).not.toContain('xoxb-revoked');
    });
    // one auth.test, no retry loop
    expect(h.fake.calls.map((c) => c.method)).toEqual(['auth.test']);
  });

  it('says so when Slack cannot be reached at SLACK_API_URL', async () => {
    const adapter = createSlackAdapter({
      config: loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: 's',
        SLACK_API_URL: 'http://127.0.0.1:9/api/',
      }),
      ...ports(),
      options: { retryConfig: { retries: 0 } },
    });
    await expect(adapter.start()).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('could not be reached at http://127.0.0.1:9/api/'),
    });
  });

  it.each([
    ['no bot token', {}, 'SLACK_BOT_TOKEN is not set'],
    [
      'HTTP mode without a signing secret',
      { SLACK_BOT_TOKEN: 'xoxb-x' },
      'SLACK_SIGNING_SECRET is not set',
    ],
  ])('refuses %s when created', (_label, env, message) => {
    let caught: unknown;
    try {
      createSlackAdapter({ config: loadConfig(env), ...ports() });
    } catch (err) {
      caught = err;
    }
    expect(isParleyError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toContain(message);
  });

  it('needs no signing secret in Socket Mode', () => {
    const adapter = createSlackAdapter({
      config: loadConfig({ SLACK_BOT_TOKEN: 'xoxb-x', SLACK_APP_TOKEN: 'xapp-x' }),
      ...ports(),
    });
    expect(adapter.mode).toBe('socket');
  });

  it('stops after letting a reply in progress finish', async () => {
    h = await startHarness();
    const slowNlu = gate();
    h.nlu.beforePredict = () => slowNlu.wait();
    h.fake.userSays({ channel: 'C_SUPPORT', user: 'U_A', text: 'where is order A1234' });
    while (h.conversation.handled.length === 0) await new Promise((r) => setTimeout(r, 5));

    let stopped = false;
    const stopping = h.adapter.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    slowNlu.open();
    await stopping;
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
  });
});
