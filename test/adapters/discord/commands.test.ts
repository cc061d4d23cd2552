import { afterEach, describe, expect, it } from 'vitest';
import { isParleyError } from '../../../src/core/errors.js';
import { Command } from 'commander';
import { discordRegisterCli, discordRegisterCommand } from '../../../src/cli/discord-register.js';
import type { ReportAttachment } from '../../../src/admin/types.js';
import { startFakeDiscord, type FakeDiscord, type InteractionRecord } from './fake-discord.js';
import {
  ADMIN_CHANNEL,
  ADMIN_ROLE,
  ADMIN_USER,
  defaultGuilds,
  GUILD,
  startHarness,
  SUPPORT,
  USER_A,
  type Harness,
} from './harness.js';
import { REFUSAL } from './memory-admin.js';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

let h: Harness | undefined;
let fake: FakeDiscord | undefined;

afterEach(async () => {
  await h?.close();
  await fake?.close();
  h = undefined;
  fake = undefined;
});

/** The interaction's record once it has a response; `settle` also waits for Parley's follow-ups. */
async function responded(harness: Harness, id: string, settle = true): Promise<InteractionRecord> {
  const record = await harness.fake.until(() => {
    const found = harness.fake.interactions.get(id);
    return found && found.callbacks.length > 0 ? found : undefined;
  }, `a response to ${id}`);
  if (settle) await harness.adapter.idle();
  return record;
}

function report(verdict: ReportAttachment['headline']['verdict']): ReportAttachment {
  return {
    runId: 'r7',
    markdown: '# Run r7\n\nintent accuracy 0.91 -> 0.93\n',
    chartPng: PNG,
    headline: { verdict, summary: 'intent accuracy 0.91 -> 0.93, entity F1 0.84 -> 0.86' },
  };
}

describe('discord /parley', () => {
  it("a non-admin's /parley rollback changes nothing, is audited, and the refusal is the response", async () => {
    h = await startHarness();
    const id = h.fake.slash(SUPPORT, USER_A, 'rollback', { version: 'v1' });
    const record = await responded(h, id);

    expect(h.admin.calls).toEqual([
      {
        ctx: { platform: 'discord', userId: USER_A.id, isAdmin: false, channelId: SUPPORT },
        commandLine: 'rollback v1',
      },
    ]);
    expect(h.admin.audit).toEqual([
      expect.objectContaining({
        userId: USER_A.id,
        isAdmin: false,
        outcome: 'refused: not an admin',
      }),
    ]);
    expect(h.admin.active).toBe('v2');
    expect(record.callbacks).toEqual([
      expect.objectContaining({
        type: 4,
        data: expect.objectContaining({ content: REFUSAL, flags: 64 }),
      }),
    ]);
  });

  it('admins are DISCORD_ADMIN_USERS and members with a DISCORD_ADMIN_ROLES role', async () => {
    h = await startHarness();
    await responded(h, h.fake.slash(SUPPORT, ADMIN_USER, 'rollback'));
    await responded(h, h.fake.slash(SUPPORT, USER_A, 'models', {}, [ADMIN_ROLE]));
    const dm = h.fake.dmChannel(USER_A);
    await responded(h, h.fake.slash(dm.id, USER_A, 'models'));

    expect(h.admin.calls.map((c) => [c.commandLine, c.ctx.isAdmin])).toEqual([
      ['rollback', true],
      ['models', true],
      ['models', false],
    ]);
    expect(h.admin.active).toBe('v1');
  });

  it('slow work is deferred at once and the answer edits the deferred response', async () => {
    h = await startHarness({ adapter: { commandAckDeadlineMs: 50 } });
    h.admin.slow.set('stats', 300);
    const id = h.fake.slash(SUPPORT, ADMIN_USER, 'stats');
    const record = await responded(h, id);

    expect(record.callbacks.map((c) => [c.type, c.data?.flags])).toEqual([[5, 64]]);
    expect(record.callbacks[0].at - record.dispatchedAt).toBeLessThan(3_000);
    expect(record.original?.content).toBe('Ran stats.');
  });

  it('a retrain answers at once, follows up later, and posts the report to the admin channel', async () => {
    h = await startHarness();
    let finish: (value: { text: string; report?: ReportAttachment }) => void = () => undefined;
    h.admin.retrainResult = new Promise((resolve) => (finish = resolve));
    const id = h.fake.slash(SUPPORT, ADMIN_USER, 'retrain');
    // Not settled: the follow-up waits for the run, which the test finishes below.
    const record = await responded(h, id, false);
    expect(record.callbacks[0]).toMatchObject({
      type: 4,
      data: { content: 'Retraining run 7 started; the result follows.' },
    });

    finish({ text: 'Run r7 promoted v3.', report: report('promoted') });
    await h.fake.until(() => h?.fake.messages(ADMIN_CHANNEL).length, 'the report');
    await h.adapter.idle();

    expect(record.followUps.map((f) => f.content)).toEqual(['Run r7 promoted v3.']);
    const [posted] = h.fake.messages(ADMIN_CHANNEL);
    expect(posted.embeds[0]).toMatchObject({
      title: '✅ Retraining run r7: promoted',
      description: 'intent accuracy 0.91 -> 0.93, entity F1 0.84 -> 0.86',
      image: { url: 'attachment://parley-run-r7-chart.png' },
    });
    expect(posted.attachments.map((a) => a.filename)).toEqual([
      'parley-run-r7-chart.png',
      'parley-run-r7-report.md',
    ]);
    expect([...(posted.files?.['parley-run-r7-chart.png'] ?? [])]).toEqual([...PNG]);
  });

  it('the report sink posts the embed with its verdict and chart', async () => {
    h = await startHarness();
    await h.adapter.reportSink?.postReport(report('rejected'));

    const [posted] = h.fake.messages(ADMIN_CHANNEL);
    expect(posted.embeds[0]).toMatchObject({
      title: '❌ Retraining run r7: rejected',
      color: 0xc62828,
    });
    expect(new TextDecoder().decode(posted.files?.['parley-run-r7-report.md'])).toContain(
      'intent accuracy 0.91 -> 0.93',
    );
  });

  it('posts hand-off notices to PARLEY_ESCALATION_TARGET=discord:<channel>, without pings', async () => {
    h = await startHarness({ env: { PARLEY_ESCALATION_TARGET: `discord:${ADMIN_CHANNEL}` } });
    await h.adapter.escalation?.notify({
      reason: 'request',
      platform: 'discord',
      workspaceId: GUILD,
      channelId: SUPPORT,
      userId: USER_A.id,
      conversationId: 'c-1',
      messageId: 'm-1',
    });

    const [posted] = h.fake.messages(ADMIN_CHANNEL);
    expect(posted.content).toBe(
      `🙋 A customer asked for a person: <@${USER_A.id}> in <#${SUPPORT}>. Conversation \`c-1\`.`,
    );
    const body = h.fake.requests.find((r) => r.path === `/channels/${ADMIN_CHANNEL}/messages`);
    expect(body?.body).toMatchObject({ allowed_mentions: { parse: [] } });
  });

  it('without DISCORD_ADMIN_CHANNEL there is no report sink', async () => {
    h = await startHarness({ env: { DISCORD_ADMIN_CHANNEL: '' } });
    expect(h.adapter.reportSink).toBeUndefined();
  });

  it('a thrown admin error becomes an ephemeral answer, not a silent interaction', async () => {
    h = await startHarness({
      admin: {
        execute: async () => {
          throw new Error('database is on fire');
        },
      },
    });
    const record = await responded(h, h.fake.slash(SUPPORT, ADMIN_USER, 'stats'));

    expect(record.callbacks).toHaveLength(1);
    expect(String(record.callbacks[0].data?.content)).toContain('could not run that command');
  });
});

describe('parley discord-register', () => {
  async function register(args: string[], env: Record<string, string> = {}) {
    const out: string[] = [];
    const command = discordRegisterCommand(
      { stdout: (text) => out.push(text) },
      {
        DISCORD_TOKEN: fake?.token,
        DISCORD_API_URL: fake?.apiUrl,
        ...env,
      },
    );
    command.exitOverride();
    await command.parseAsync(args, { from: 'user' });
    return out.join('');
  }

  it('registers /parley in one guild with a bulk overwrite, learning the application id', async () => {
    fake = await startFakeDiscord({ guilds: defaultGuilds() });
    const out = await register(['--guild', GUILD]);
    await register(['--guild', GUILD]);

    expect(fake.commands.map((c) => c.scope)).toEqual([`guild:${GUILD}`, `guild:${GUILD}`]);
    const [command] = fake.commands[1].body as { name: string; options: { name: string }[] }[];
    expect(command.name).toBe('parley');
    expect(command.options.map((o) => o.name)).toEqual([
      'retrain',
      'report',
      'models',
      'promote',
      'rollback',
      'feedback',
      'stats',
      'help',
    ]);
    expect(fake.requests.some((r) => r.path === '/applications/@me')).toBe(true);
    expect(out).toContain(`registered /parley (guild ${GUILD}`);
  });

  it('registers globally without --guild, with the configured application id', async () => {
    fake = await startFakeDiscord({ guilds: defaultGuilds() });
    await register([], { DISCORD_APPLICATION_ID: fake.applicationId });

    expect(fake.commands.map((c) => c.scope)).toEqual(['global']);
    expect(fake.requests.some((r) => r.path === '/applications/@me')).toBe(false);
  });

  it('plugs into the parley program as `parley discord-register`', async () => {
    fake = await startFakeDiscord({ guilds: defaultGuilds() });
    process.env.DISCORD_TOKEN = fake.token;
    process.env.DISCORD_API_URL = fake.apiUrl;
    try {
      const out: string[] = [];
      const program = new Command('parley').exitOverride();
      discordRegisterCli.register(program, {
        stdout: (text) => out.push(text),
        stderr: () => undefined,
        isTty: false,
      });
      await program.parseAsync(['discord-register', '--guild', GUILD], { from: 'user' });
      expect(out.join('')).toContain(`registered /parley (guild ${GUILD}`);
    } finally {
      delete process.env.DISCORD_TOKEN;
      delete process.env.DISCORD_API_URL;
    }
  });

  it('says which setting is wrong when Discord refuses the token', async () => {
    fake = await startFakeDiscord({ guilds: defaultGuilds() });
    const error = await register([], { DISCORD_TOKEN: 'wrong' }).catch((err: unknown) => err);

    expect(isParleyError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('DISCORD_TOKEN');
  });
});
