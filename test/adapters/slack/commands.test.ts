import { afterEach, describe, expect, it } from 'vitest';
import { ParleyError } from '../../../src/core/errors.js';
import { ADMIN, ADMIN_CHANNEL, startHarness, type Harness } from './harness.js';
import { gate } from './doubles.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function answers() {
  return h.fake.responseUrlPosts.map((post) => post.body);
}

describe('C17: /parley within Slack’s 3 seconds', () => {
  it('acknowledges a retrain whose lock is slow, then answers through response_url', async () => {
    h = await startHarness();
    const lock = gate();
    const training = gate();
    h.admin.lock = () => lock.wait();
    h.admin.training = () => training.wait();

    const command = await h.fake.runCommand(ADMIN, ADMIN_CHANNEL, 'retrain');
    expect(command.status).toBe(200);
    expect(command.ms).toBeLessThan(3000);
    expect(JSON.parse(command.body)).toEqual({
      response_type: 'ephemeral',
      text: 'Working on it...',
    });

    lock.open();
    await waitFor(() => answers().length === 1);
    expect(answers()[0]).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'Retrain run #1 started.',
    });

    training.open();
    await h.settle();
    expect(answers().map((a) => a.text)).toEqual([
      'Retrain run #1 started.',
      'Retrain run #1 finished: promoted.',
    ]);
  });

  it('puts the run number in the acknowledgement when the handler answers at once', async () => {
    h = await startHarness();
    const training = gate();
    h.admin.training = () => training.wait();

    const command = await h.fake.runCommand(ADMIN, ADMIN_CHANNEL, 'retrain');
    expect(command.ms).toBeLessThan(1000);
    expect(JSON.parse(command.body)).toEqual({
      response_type: 'ephemeral',
      text: 'Retrain run #1 started.',
    });

    training.open();
    await h.settle();
    expect(answers().map((a) => a.text)).toEqual(['Retrain run #1 finished: promoted.']);
  });

  it('acknowledges a slow report at once and posts the report to the admin channel later', async () => {
    h = await startHarness();
    const building = gate();
    h.admin.building = () => building.wait();

    const command = await h.fake.runCommand(ADMIN, ADMIN_CHANNEL, 'report');
    expect(command.ms).toBeLessThan(1000);
    expect(JSON.parse(command.body).text).toBe('Building the report...');

    building.open();
    await h.settle();
    expect(answers().map((a) => a.text)).toEqual(['Report for run 7 is ready.']);
    const posted = h.fake.callsTo('chat.postMessage').map((c) => c.args);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ channel: ADMIN_CHANNEL });
    expect(h.fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });

  it('answers an unknown rollback version inside the acknowledgement and changes nothing', async () => {
    h = await startHarness();

    const command = await h.fake.runCommand(ADMIN, ADMIN_CHANNEL, 'rollback v999');
    await h.settle();

    expect(command.status).toBe(200);
    expect(command.ms).toBeLessThan(3000);
    expect(JSON.parse(command.body)).toEqual({
      response_type: 'ephemeral',
      text: 'Unknown model version v999; nothing changed.',
    });
    expect(h.admin.activeVersion).toBe('v2');
    expect(answers()).toEqual([]);
  });
});

describe('/parley for someone who is not an admin', () => {
  it('passes isAdmin false, shows the refusal, and retrains nothing', async () => {
    h = await startHarness();

    const command = await h.fake.runCommand('U_A', 'C_SUPPORT', 'retrain');
    await h.settle();

    expect(h.admin.contexts).toEqual([
      { platform: 'slack', userId: 'U_A', isAdmin: false, channelId: 'C_SUPPORT' },
    ]);
    expect(JSON.parse(command.body)).toEqual({
      response_type: 'ephemeral',
      text: 'Only Parley admins can run "retrain". This was logged.',
    });
    expect(h.admin.retrainRuns).toBe(0);
    expect(h.admin.audit).toEqual([
      { userId: 'U_A', isAdmin: false, commandLine: 'retrain', allowed: false },
    ]);
    expect(answers()).toEqual([]);
  });
});

describe('/parley errors', () => {
  it('shows a ParleyError from the handler as an ephemeral message', async () => {
    h = await startHarness();
    h.admin.execute = async () => {
      throw new ParleyError('CONFLICT', 'A retrain run is already going (run #4).');
    };
    const command = await h.fake.runCommand(ADMIN, ADMIN_CHANNEL, 'retrain');
    expect(JSON.parse(command.body)).toEqual({
      response_type: 'ephemeral',
      text: 'A retrain run is already going (run #4).',
    });
  });

  it('hides an unexpected error behind a short ephemeral message', async () => {
    h = await startHarness();
    h.admin.execute = async () => {
      throw new Error('connection reset by peer at 10.0.0.3');
    };
    const command = await h.fake.runCommand(ADMIN, ADMIN_CHANNEL, 'retrain');
    expect(JSON.parse(command.body).text).toBe(
      'Parley could not run that command; the error is in the server log.',
    );
  });

  it('reports a failure of the slow part through response_url', async () => {
    h = await startHarness();
    h.admin.training = async () => {
      throw new ParleyError('TRAINING_CANCELLED', 'Retrain run #1 was cancelled.');
    };
    await h.fake.runCommand(ADMIN, ADMIN_CHANNEL, 'retrain');
    await h.settle();
    expect(answers().map((a) => a.text)).toEqual(['Retrain run #1 was cancelled.']);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
