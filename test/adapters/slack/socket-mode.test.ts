import { afterEach, describe, expect, it } from 'vitest';
import { APP_ID, TEAM_ID } from './fake-slack.js';
import { ADMIN, ADMIN_CHANNEL, startHarness, SUPPORT, type Harness } from './harness.js';
import { gate } from './doubles.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  it('connects through apps.connections.open and the websocket hello', async () => {
    h = await startHarness({ socketMode: true });
    expect(h.adapter.mode).toBe('socket');
    expect(h.fake.socketConnected).toBe(true);
    expect(h.fake.calls.map((c) => c.method)).toEqual(['auth.test', 'apps.connections.open']);

    const overHttp = await h.fake.deliverEvent({
      type: 'message',
      channel: SUPPORT,
      user: 'U_A',
      text: 'x',
      ts: '1.1',
    });
    expect(overHttp.status).toBe(404);
  });

  it('acks an events_api envelope by its id before the reply is done, and replies in the thread', async () => {
    h = await startHarness({ socketMode: true });
    const slowNlu = gate();
    h.nlu.beforePredict = () => slowNlu.wait();
    const ts = '1700000700.000100';

    const { ack, ms } = await h.fake.sendEnvelope(
      'events_api',
      h.fake.eventEnvelope({
        type: 'message',
        channel: SUPPORT,
        channel_type: 'channel',
        user: 'U_A',
        team: TEAM_ID,
        text: 'where is order A1234',
        ts,
        event_ts: ts,
      }),
    );
    expect(ms).toBeLessThan(3000);
    expect(Object.keys(ack)).toContain('envelope_id');
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);

    slowNlu.open();
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage').map((c) => [c.args.thread_ts, c.args.text])).toEqual([
      [ts, 'Order A1234 is on its way.'],
    ]);
  });

  it('answers /parley in the envelope ack payload', async () => {
    h = await startHarness({ socketMode: true });
    const { ack } = await h.fake.sendEnvelope('slash_commands', {
      token: 'unused-verification-token',
      team_id: TEAM_ID,
      team_domain: 'fake',
      channel_id: ADMIN_CHANNEL,
      channel_name: 'admin',
      user_id: ADMIN,
      user_name: 'admin',
      command: '/parley',
      text: 'rollback v999',
      api_app_id: APP_ID,
      is_enterprise_install: 'false',
      response_url: `${h.fake.baseUrl}/commands/${TEAM_ID}/1/secret`,
      trigger_id: '1.2.3',
    });
    expect(ack.payload).toEqual({
      response_type: 'ephemeral',
      text: 'Unknown model version v999; nothing changed.',
    });
  });

  it('refuses to start with a bad app token, as a clear start-up error', async () => {
    await expect(
      startHarness({ socketMode: true, env: { SLACK_APP_TOKEN: 'xapp-wrong' } }).then((started) => {
        h = started;
      }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('SLACK_APP_TOKEN'),
    });
  });
});
