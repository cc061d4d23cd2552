import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createAdminHandler } from '../../src/admin/commands.js';
import { fakeAdmin } from '../../test/admin/fake-deps.js';
import { registerAdminRoutes } from './admin.js';
import { markdownToHtml } from './admin-markdown.js';

const RUN = '0badc0de-0000-4000-8000-000000000000';
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

function setUp(options: { learning?: boolean } = {}) {
  const fake = fakeAdmin();
  fake.runs.push({
    run: {
      runId: RUN,
      trigger: 'schedule',
      requestedBy: null,
      status: 'rejected',
      decision: 'rejected',
      reason: 'Not promoted: intent-f1 failed.',
      createdAt: new Date('2026-03-10T03:00:00Z'),
      endedAt: new Date('2026-03-10T03:02:00Z'),
      candidateVersion: 'v3',
    },
    report: {
      runId: RUN,
      markdown:
        '# Retraining report\n\n| text | gold |\n| --- | --- |\n| `<script>alert(1)</script>` | greet |\n',
      chartPng: PNG,
      headline: { verdict: 'rejected', summary: 'Not promoted: intent-f1 failed.' },
    },
  });
  const handler = createAdminHandler(fake.deps);
  const http = new Hono();
  const on = options.learning ?? true;
  registerAdminRoutes(http, {
    admin: () => (on ? handler : undefined),
    runs: () => (on ? fake.deps.runs : undefined),
    adminUsers: ['ops'],
    logger: pino({ level: 'silent' }),
  });
  return { http, fake, handler };
}

describe('local admin page', () => {
  it('lists runs for an admin, with a link to each report', async () => {
    const { http } = setUp();
    const res = await http.request('/admin?user=ops');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<a href="/admin/runs/${RUN}?user=ops">0badc0de</a>`);
    expect(html).toContain('Not promoted: intent-f1 failed.');
  });

  it('shows no runs to someone who is not an admin', async () => {
    const { http } = setUp();
    const html = await (await http.request('/admin?user=mallory')).text();
    expect(html).toContain('only Parley admins');
    expect(html).not.toContain(RUN.slice(0, 8));
    expect((await http.request(`/admin/runs/${RUN}?user=mallory`)).status).toBe(403);
    expect((await http.request(`/admin/runs/${RUN}/chart.png?user=mallory`)).status).toBe(403);
  });

  it('renders a report with its chart, escaping what customers wrote', async () => {
    const { http } = setUp();
    const html = await (await http.request(`/admin/runs/${RUN}?user=ops`)).text();
    expect(html).toContain('<h1>Retraining report</h1>');
    expect(html).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>');
    expect(html).not.toContain('<script>');
    expect(html).toContain(
      `<img alt="Per-intent F1, active model and candidate" src="/admin/runs/${RUN}/chart.png?user=ops">`,
    );

    const chart = await http.request(`/admin/runs/${RUN}/chart.png?user=ops`);
    expect(chart.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await chart.arrayBuffer())).toEqual(PNG);
  });

  it('runs a command through the shared admin handler, which audits it', async () => {
    const { http, fake, handler } = setUp();
    const body = new URLSearchParams({ user: 'ops', command: 'promote v1' });
    const res = await http.request('/admin/command', { method: 'POST', body });
    expect(await res.text()).toContain('v1 is now the active model (was v2).');

    const refused = new URLSearchParams({ user: 'mallory', command: 'rollback' });
    const answer = await (
      await http.request('/admin/command', { method: 'POST', body: refused })
    ).text();
    expect(answer).toContain('Sorry, only Parley admins can use admin commands.');

    await handler.settled();
    expect(fake.audit.map((a) => [a.platform, a.userId, a.command, a.allowed])).toEqual([
      ['local', 'ops', 'promote', true],
      ['local', 'mallory', 'rollback', false],
    ]);
  });

  it('says so when the learning loop is not running', async () => {
    const { http } = setUp({ learning: false });
    expect(await (await http.request('/admin?user=ops')).text()).toContain('not running');
  });
});

describe('report markdown to HTML', () => {
  it('renders headings, bold, code, numbered lists and aligned tables', () => {
    const html = markdownToHtml(
      [
        '## Gate',
        '**Not promoted.** Deciding rule: `intent-f1`',
        '| rule | a \\| b | n |\n| --- | --- | ---: |\n| `x` | y | 3 |',
        '1. one\n2. two',
      ].join('\n\n'),
    );
    expect(html).toBe(
      [
        '<h2>Gate</h2>',
        '<p><strong>Not promoted.</strong> Deciding rule: <code>intent-f1</code></p>',
        '<table><thead><tr><th class="left">rule</th><th class="left">a | b</th><th class="right">n</th></tr></thead>' +
          '<tbody><tr><td class="left"><code>x</code></td><td class="left">y</td><td class="right">3</td></tr></tbody></table>',
        '<ol><li>one</li><li>two</li></ol>',
      ].join('\n'),
    );
  });
});
