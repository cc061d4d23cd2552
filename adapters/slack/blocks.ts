import type { types } from '@slack/bolt';
import type { ReportAttachment } from '../../src/admin/types.js';

/**
 * Block Kit for replies (with feedback buttons) and reports. Limits are Slack's, checked against
 * the Block Kit reference for bolt 5.1: a section's text holds 3000 characters, a button value
 * 2000, a header 150.
 */
export type KnownBlock = types.KnownBlock;

export const ACTION_UP = 'parley_feedback_up';
export const ACTION_DOWN = 'parley_feedback_down';
export const ACTION_FIX = 'parley_feedback_fix';

const TEXT_BLOCK_PREFIX = 'parley_text_';
const BUTTONS_BLOCK = 'parley_feedback';
const NOTE_BLOCK = 'parley_feedback_note';
const SECTION_LIMIT = 3000;
const BUTTON_VALUE_LIMIT = 2000;

/**
 * What the feedback buttons carry, so that a click needs no lookup (bot processes keep no state).
 * Short keys because the whole value must fit in 2000 characters.
 */
export interface FeedbackRef {
  /** Id of the stored incoming message. */
  m: string;
  /** The customer's text, for marking entities; left out when it does not fit. */
  t?: string;
  /** Predicted intent. */
  i?: string;
  /** Predicted entities as [type, start, end], offsets into `t`. */
  e?: [string, number, number][];
}

/** The reply as Slack shows it: text sections, the three buttons, and an optional note. */
export function replyBlocks(sections: string[], ref: FeedbackRef, note?: string): KnownBlock[] {
  const blocks: KnownBlock[] = sections.map((text, index) => ({
    type: 'section',
    block_id: `${TEXT_BLOCK_PREFIX}${index}`,
    text: { type: 'mrkdwn', text },
  }));

  blocks.push(feedbackButtons(ref));
  if (note) {
    blocks.push({
      type: 'context',
      block_id: NOTE_BLOCK,
      elements: [{ type: 'mrkdwn', text: note }],
    });
  }
  return blocks;
}

/** Reply text as mrkdwn sections of at most 3000 characters. */
export function replySections(text: string): string[] {
  const escaped = escapeMrkdwn(text);
  const sections: string[] = [];
  for (let start = 0; start < escaped.length; start += SECTION_LIMIT) {
    sections.push(escaped.slice(start, start + SECTION_LIMIT));
  }
  return sections.length > 0 ? sections : [' '];
}

function feedbackButtons(ref: FeedbackRef): KnownBlock {
  const short = JSON.stringify({ m: ref.m });
  return {
    type: 'actions',
    block_id: BUTTONS_BLOCK,
    elements: [
      button(ACTION_UP, ':thumbsup:', short, 'This answer was right'),
      button(ACTION_DOWN, ':thumbsdown:', short, 'This answer was wrong'),
      button(ACTION_FIX, 'Fix', encodeRef(ref), 'Pick the right intent and mark the details'),
    ],
  };
}

function button(actionId: string, label: string, value: string, accessible: string) {
  return {
    type: 'button' as const,
    action_id: actionId,
    text: { type: 'plain_text' as const, text: label, emoji: true },
    value,
    accessibility_label: accessible,
  };
}

/** Drops predicted entities, then the text, until the value fits in a button. */
export function encodeRef(ref: FeedbackRef): string {
  const candidates: FeedbackRef[] = [ref, { m: ref.m, t: ref.t, i: ref.i }, { m: ref.m, i: ref.i }];
  for (const candidate of candidates) {
    const value = JSON.stringify(candidate);
    if (value.length <= BUTTON_VALUE_LIMIT) return value;
  }
  return JSON.stringify({ m: ref.m });
}

/** Reads a button value back; undefined when it is not one of ours. */
export function decodeRef(value: string | undefined): FeedbackRef | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as FeedbackRef;
    return typeof parsed.m === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The parts of a posted reply needed to draw it again: its text sections and the fix button. */
export function readReplyBlocks(
  blocks: unknown[] | undefined,
): { sections: string[]; ref: FeedbackRef } | undefined {
  const list = (blocks ?? []) as {
    block_id?: string;
    text?: { text?: string };
    elements?: { action_id?: string; value?: string }[];
  }[];
  const sections = list
    .filter((block) => block.block_id?.startsWith(TEXT_BLOCK_PREFIX))
    .map((block) => block.text?.text ?? '');
  const buttons = list.find((block) => block.block_id === BUTTONS_BLOCK);
  const ref = decodeRef(buttons?.elements?.find((e) => e.action_id === ACTION_FIX)?.value);
  return ref && sections.length > 0 ? { sections, ref } : undefined;
}

/** The note under a reply; `saved` false means queued until the database is back. */
export function feedbackNote(
  kind: 'up' | 'down' | 'correction',
  userId: string,
  saved = true,
): string {
  const what = { up: ':thumbsup:', down: ':thumbsdown:', correction: 'a correction' }[kind];
  if (!saved) {
    return `:hourglass: Feedback received: ${what} from <@${userId}>. It is not saved yet and will be stored when the database is back.`;
  }
  return `:white_check_mark: Feedback recorded: ${what} from <@${userId}>. Thank you!`;
}

/** Slack reads `&`, `<` and `>` as markup; reply text is plain text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const VERDICT_MARK: Record<ReportAttachment['headline']['verdict'], string> = {
  promoted: ':white_check_mark:',
  rejected: ':x:',
  skipped: ':fast_forward:',
  failed: ':warning:',
};

/** The report message: verdict in the header, headline numbers, and where the rest is. */
export function reportBlocks(report: ReportAttachment, hasChart: boolean): KnownBlock[] {
  const { verdict, summary } = report.headline;
  const header = `Retraining run ${report.runId}: ${verdict}`.slice(0, 150);
  const rest = hasChart
    ? 'The chart and the full report are in the thread.'
    : 'The full report is in the thread.';

  return [
    { type: 'header', text: { type: 'plain_text', text: header } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${VERDICT_MARK[verdict]} ${escapeMrkdwn(summary)}`.slice(0, SECTION_LIMIT),
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: rest }] },
  ];
}

export function reportFallbackText(report: ReportAttachment): string {
  return `Retraining run ${report.runId}: ${report.headline.verdict}. ${report.headline.summary}`;
}
