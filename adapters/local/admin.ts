import type { Context, Hono } from 'hono';
import type { RunReader } from '../../src/admin/ports.js';
import type { AdminHandler } from '../../src/admin/types.js';
import type { Logger } from '../../src/core/log.js';
import { ADMIN_CSS, renderHome, renderReport } from './admin-page.js';

/**
 * The admin page of the local adapter: the list of retraining runs, each run's report with its
 * chart, and a box for admin commands (the same commands, authorisation and audit log as Slack's
 * and Discord's). Mounted on the app's server at /admin.
 */

export interface AdminRoutesDeps {
  /** Read per request: the learning loop may start after the page is mounted. */
  admin: () => AdminHandler | undefined;
  runs: () => RunReader | undefined;
  /** PARLEY_ADMIN_USERS. */
  adminUsers: readonly string[];
  logger: Logger;
}

const HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const MAX_COMMAND = 500;

export function registerAdminRoutes(http: Hono, deps: AdminRoutesDeps): void {
  const isAdmin = (user: string) => user !== '' && deps.adminUsers.includes(user);
  const userOf = (c: Context) => (c.req.query('user') ?? '').trim();

  http.get('/admin/admin.css', (c) =>
    c.body(ADMIN_CSS, 200, { ...HEADERS, 'Content-Type': 'text/css; charset=utf-8' }),
  );

  http.get('/admin', async (c) => {
    const user = userOf(c);
    const reader = deps.runs();
    const available = deps.admin() !== undefined && reader !== undefined;
    const runs = reader && isAdmin(user) ? await reader.recent(30) : [];
    return c.html(renderHome({ user, isAdmin: isAdmin(user), available, runs }), 200, HEADERS);
  });

  http.post('/admin/command', async (c) => {
    const form = await c.req.parseBody();
    const user = String(form.user ?? '').trim();
    const command = String(form.command ?? '').slice(0, MAX_COMMAND);
    const admin = deps.admin();
    const reader = deps.runs();
    if (!admin || !reader) {
      return c.html(renderHome({ user, isAdmin: false, available: false, runs: [] }), 503, HEADERS);
    }
    const reply = await admin.execute(
      { platform: 'local', userId: user || 'anonymous', isAdmin: isAdmin(user) },
      command,
    );
    void reply.later?.catch((err: unknown) => deps.logger.error({ err }, 'admin follow-up failed'));
    const runs = isAdmin(user) ? await reader.recent(30) : [];
    const answer = { text: reply.text, ok: reply.ok, followUp: reply.later !== undefined };
    return c.html(
      renderHome({ user, isAdmin: isAdmin(user), available: true, runs, answer }),
      200,
      HEADERS,
    );
  });

  http.get('/admin/runs/:id', async (c) => {
    const found = await readable(c);
    if (found instanceof Response) return found;
    const { run, report } = found;
    const html = renderReport({
      user: userOf(c),
      run,
      markdown: report?.markdown ?? null,
      hasChart: report?.chartPng !== undefined,
    });
    return c.html(html, 200, HEADERS);
  });

  http.get('/admin/runs/:id/chart.png', async (c) => {
    const found = await readable(c);
    if (found instanceof Response) return found;
    const png = found.report?.chartPng;
    if (!png) return c.text('This run has no chart.', 404, HEADERS);
    return c.body(new Uint8Array(png), 200, { ...HEADERS, 'Content-Type': 'image/png' });
  });

  /** The run of `:id` for an admin, or the response that refuses it. */
  async function readable(c: Context) {
    const user = userOf(c);
    const reader = deps.runs();
    if (!reader) return c.text('No learning loop is running.', 503, HEADERS);
    if (!isAdmin(user)) {
      return c.text('Sorry, only Parley admins can see retraining reports.', 403, HEADERS);
    }
    const found = await reader.report(c.req.param('id')).catch(() => undefined);
    return found ?? c.text('No such run.', 404, HEADERS);
  }
}
