import type { RunSummary } from '../../src/admin/ports.js';
import { escapeHtml, markdownToHtml } from './admin-markdown.js';

/**
 * The HTML of the admin page: server-rendered, no script, one stylesheet from the same origin
 * (the content security policy allows nothing else). The user id travels as `?user=` because the
 * local adapter has no sign-in; who is an admin is PARLEY_ADMIN_USERS.
 */

export const ADMIN_CSS = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
h1, h2 { font-weight: 600; }
table { border-collapse: collapse; margin: 0.75rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; vertical-align: top; }
th { background: #f4f4f4; }
td.right, th.right { text-align: right; }
code { background: #f2f2f2; padding: 0 0.2rem; border-radius: 3px; }
pre { background: #f7f7f7; padding: 0.75rem; white-space: pre-wrap; }
img { max-width: 100%; border: 1px solid #eee; }
form { margin: 1rem 0; display: flex; gap: 0.5rem; align-items: center; }
input[type=text] { padding: 0.3rem; min-width: 16rem; }
.note { color: #666; }
.refused { color: #a00; }
`.trim();

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<link rel="stylesheet" href="/admin/admin.css">',
    `</head><body>${body}</body></html>`,
  ].join('');
}

function userQuery(user: string): string {
  return `user=${encodeURIComponent(user)}`;
}

function userForm(user: string): string {
  return [
    '<form method="get" action="/admin">',
    '<label>User id <input type="text" name="user" value="',
    escapeHtml(user),
    '"></label><button>Open</button></form>',
  ].join('');
}

function commandForm(user: string): string {
  return [
    '<form method="post" action="/admin/command">',
    `<input type="hidden" name="user" value="${escapeHtml(user)}">`,
    '<label>Command <input type="text" name="command" placeholder="retrain, models, promote v3, rollback, feedback, stats, help"></label>',
    '<button>Run</button></form>',
  ].join('');
}

export function renderHome(options: {
  user: string;
  isAdmin: boolean;
  available: boolean;
  runs: RunSummary[];
  answer?: { text: string; ok: boolean; followUp: boolean };
}): string {
  const { user } = options;
  const parts = ['<h1>Parley admin</h1>', userForm(user)];
  if (!options.available) {
    parts.push(
      '<p class="note">The learning loop is not running (no database yet), so there are no runs or admin commands.</p>',
    );
    return page('Parley admin', parts.join(''));
  }
  if (options.answer) {
    const cls = options.answer.ok ? '' : ' class="refused"';
    parts.push(`<pre${cls}>${escapeHtml(options.answer.text)}</pre>`);
    if (options.answer.followUp) {
      parts.push(
        '<p class="note">The result follows when the work ends; reload this page to see the run.</p>',
      );
    }
  }
  if (!options.isAdmin) {
    parts.push(
      user === ''
        ? '<p class="note">Enter your user id to see retraining runs and reports.</p>'
        : '<p class="refused">Sorry, only Parley admins can see runs and reports. Ask an admin to add you to PARLEY_ADMIN_USERS.</p>',
    );
    return page('Parley admin', parts.join(''));
  }
  parts.push(commandForm(user), '<h2>Retraining runs</h2>', runsTable(options.runs, user));
  return page('Parley admin', parts.join(''));
}

function runsTable(runs: RunSummary[], user: string): string {
  if (runs.length === 0) return '<p class="note">No retraining run yet.</p>';
  const head = ['run', 'started', 'trigger', 'by', 'status', 'decision', 'candidate', 'why'];
  const rows = runs.map((run) => {
    const link = `<a href="/admin/runs/${encodeURIComponent(run.runId)}?${userQuery(user)}">${run.runId.slice(0, 8)}</a>`;
    const cells = [
      link,
      escapeHtml(run.createdAt.toISOString().slice(0, 16).replace('T', ' ')),
      escapeHtml(run.trigger),
      escapeHtml(run.requestedBy ?? ''),
      escapeHtml(run.status),
      escapeHtml(run.decision ?? ''),
      escapeHtml(run.candidateVersion ?? ''),
      escapeHtml(run.reason ?? ''),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderReport(options: {
  user: string;
  run: RunSummary;
  markdown: string | null;
  hasChart: boolean;
}): string {
  const { run, user } = options;
  const back = `<p><a href="/admin?${userQuery(user)}">All runs</a></p>`;
  const chart = options.hasChart
    ? `<p><img alt="Per-intent F1, active model and candidate" src="/admin/runs/${encodeURIComponent(run.runId)}/chart.png?${userQuery(user)}"></p>`
    : '';
  const body = options.markdown
    ? markdownToHtml(options.markdown)
    : `<h1>Run ${escapeHtml(run.runId)}</h1><p>${escapeHtml(run.decision ?? run.status)}: ${escapeHtml(run.reason ?? '')}</p><p class="note">This run has no report (it did not train a candidate).</p>`;
  return page(`Parley run ${run.runId.slice(0, 8)}`, `${back}${chart}${body}`);
}
