import { shortRunId } from '../jobs/types.js';
import { COMMAND_HELP } from './parse.js';
import type { AdminStats, ModelSummary, ReviewItem, RunSummary } from './ports.js';

/**
 * Plain-text answers of the admin commands: short lines that read the same in Slack, Discord, a
 * terminal and the local admin page. Message texts are the stored (redacted) ones, clipped and
 * set in code spans so a mention in a customer's text stays inert.
 */

const MAX_TEXT = 60;

export function formatHelp(): string {
  const width = Math.max(...COMMAND_HELP.map(([usage]) => usage.length));
  const lines = COMMAND_HELP.map(([usage, what]) => `  ${usage.padEnd(width)}  ${what}`);
  return ['Admin commands:', ...lines].join('\n');
}

export function formatModels(models: ModelSummary[]): string {
  if (models.length === 0) return 'No model versions yet.';
  const lines = models.map((m) => {
    const parts = [m.version.padEnd(5), m.status.padEnd(9)];
    parts.push(m.accuracy === null ? 'accuracy n/a  ' : `accuracy ${m.accuracy.toFixed(3)}`);
    parts.push(m.parentVersion ? `from ${m.parentVersion}` : 'shipped');
    if (m.runId) parts.push(`run #${shortRunId(m.runId)}`);
    parts.push(`created ${day(m.createdAt)}`);
    if (m.promotedAt) parts.push(`promoted ${day(m.promotedAt)}`);
    return `  ${parts.join('  ')}`;
  });
  return ['Model versions (newest first):', ...lines].join('\n');
}

export function formatRunLine(run: RunSummary): string {
  const who = run.requestedBy ? ` by ${run.requestedBy}` : '';
  const decision = run.decision ?? run.status;
  const reason = run.reason ? `: ${run.reason}` : '';
  const candidate = run.candidateVersion ? `, candidate ${run.candidateVersion}` : '';
  return `Run #${shortRunId(run.runId)} (${run.trigger}${who}, ${day(run.createdAt)}${candidate}) ${decision}${reason}`;
}

export function formatFeedbackQueue(items: ReviewItem[]): string {
  if (items.length === 0) return 'The review queue is empty.';
  const lines = items.map((item) => {
    const said = item.predictedIntent ? `predicted ${item.predictedIntent}` : 'no prediction';
    const fix = item.correctedIntent ? `, corrected to ${item.correctedIntent}` : '';
    const note = item.note ? `, ${item.note}` : '';
    return `  ${item.id.slice(0, 8)}  ${kindName(item.kind)}  \`${clip(item.text)}\`  (${said}${fix}${note})`;
  });
  return [
    `Review queue (${items.length} shown, oldest first):`,
    ...lines,
    'Use `feedback accept ID`, `feedback reject ID` or `feedback correct ID INTENT`.',
  ].join('\n');
}

export function formatStats(stats: AdminStats): string {
  const rate = stats.replies === 0 ? 0 : stats.fallbacks / stats.replies;
  const byKind = new Map<string, number>();
  const pending = stats.feedback
    .filter((f) => f.status === 'pending')
    .reduce((sum, f) => sum + f.n, 0);
  for (const f of stats.feedback) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + f.n);
  const model = stats.activeModel;
  const accuracy = model?.accuracy == null ? 'n/a' : model.accuracy.toFixed(3);
  const macro = model?.macroF1 == null ? 'n/a' : model.macroF1.toFixed(3);
  return [
    `Last ${stats.windowHours} h: ${stats.messagesIn} messages in, ${stats.replies} replies, ` +
      `fallback rate ${(rate * 100).toFixed(1)}% (${stats.fallbacks}), ${stats.handoffs} hand-offs.`,
    `Feedback (all time): ${byKind.get('up') ?? 0} up, ${byKind.get('down') ?? 0} down, ` +
      `${byKind.get('correction') ?? 0} corrections; ${pending} waiting for review.`,
    model
      ? `Active model ${model.version}: accuracy ${accuracy}, macro F1 ${macro} on the frozen test split.`
      : 'No active model.',
  ].join('\n');
}

function kindName(kind: ReviewItem['kind']): string {
  return kind === 'up' ? 'thumbs-up  ' : kind === 'down' ? 'thumbs-down' : 'correction ';
}

function clip(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').replace(/`/g, "'").trim()];
  return chars.length <= MAX_TEXT ? chars.join('') : `${chars.slice(0, MAX_TEXT - 1).join('')}…`;
}

/** `2026-03-10 03:00 UTC`: admins in different zones read the same time. */
function day(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
