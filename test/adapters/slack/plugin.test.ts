import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { slackAdapter } from '../../../adapters/slack/index.js';
import type { RunningAdapter } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { FakeSlack } from './fake-slack.js';
import { BOT_TOKEN, readManifest, SIGNING_SECRET, SUPPORT } from './harness.js';

let fake: FakeSlack | undefined;
let server: ServerType | undefined;
let running: RunningAdapter | undefined;
afterEach(async () => {
  await running?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await fake?.close();
});

describe('slackAdapter, the plugin src/app.ts lists', () => {
  it('is on only when SLACK_BOT_TOKEN is set', () => {
    expect(slackAdapter.enabled(loadConfig({}))).toBe(false);
    expect(slackAdapter.enabled(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-x' }))).toBe(true);
  });

  it('mounts /slack/events on the app server and answers there', async () => {
    fake = await FakeSlack.start({
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      app: await readManifest(),
    });
    const http = new Hono();
    const handled: string[] = [];
    running = await slackAdapter.create({
      config: loadConfig({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        SLACK_CHANNELS: SUPPORT,
        SLACK_ADMIN_CHANNEL: 'C_ADMIN',
        PARLEY_ESCALATION_TARGET: 'slack:C_ESCALATE',
      }),
      conversation: {
        handle: async (message) => {
          handled.push(message.text);
          return {
            status: 'replied',
            messageId: '00000000-0000-4000-8000-000000000001',
            conversationId: '00000000-0000-4000-8000-000000000002',
            reply: {
              kind: 'answer',
              text: 'Order A1234 is on its way.',
              threadId: message.threadId,
            },
          };
        },
        forget: async () => undefined,
      },
      feedback: {
        record: async () => ({ feedbackId: 'f', saved: true }),
        intents: () => [],
        entityTypes: () => [],
      },
      http,
      logger: pino({ level: 'silent' }),
      modelVersion: () => 'test',
      stats: async () => ({}),
    });
    server = await new Promise<ServerType>((resolve) => {
      const started = serve({ fetch: http.fetch, port: 0, hostname: '127.0.0.1' }, () =>
        resolve(started),
      );
    });
    fake.eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    await running.start();

    fake.userSays({ channel: SUPPORT, user: 'U_A', text: 'where is order A1234' });
    for (
      let waited = 0;
      fake.callsTo('chat.postMessage').length === 0 && waited < 3000;
      waited += 10
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    expect(running.name).toBe('slack');
    expect(running.reportSink?.name).toBe('slack');
    expect(running.notifier).toBeDefined();
    expect(handled).toEqual(['where is order A1234']);
    expect(fake.callsTo('chat.postMessage').map((c) => c.args.text)).toEqual([
      'Order A1234 is on its way.',
    ]);

    const command = await fake.runCommand('U_A', SUPPORT, 'retrain');
    expect(JSON.parse(command.body)).toEqual({
      response_type: 'ephemeral',
      text: 'Admin commands are not available on this Parley server yet.',
    });
  });
});
