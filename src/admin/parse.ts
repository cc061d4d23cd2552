/**
 * Parses an admin command line ("promote v3", "/parley feedback accept 1a2b3c4d") into a command.
 * Words are separated by whitespace; the command word is case-insensitive; a leading `/parley` or
 * `parley` (as typed in a chat) is ignored. Versions are written `v3` or `3`.
 */

export type AdminCommand =
  | { name: 'retrain' }
  | { name: 'report'; run?: string }
  | { name: 'models' }
  | { name: 'promote'; version: string }
  | { name: 'rollback'; version?: string }
  | { name: 'feedback'; action: 'list' }
  | { name: 'feedback'; action: 'accept' | 'reject'; id: string }
  | { name: 'feedback'; action: 'correct'; id: string; intent: string }
  | { name: 'stats' }
  | { name: 'help' };

export type ParsedCommand =
  | { ok: true; word: string; args: string; command: AdminCommand }
  | { ok: false; word: string; args: string; error: string };

export const COMMAND_HELP: readonly [string, string][] = [
  ['retrain', 'start a retraining run now; the result follows when it ends'],
  ['report [RUN]', 'the report of a run (the latest when RUN is left out)'],
  ['models', 'list model versions and which one is active'],
  ['promote VERSION', 'make VERSION (e.g. v3) the active model'],
  ['rollback [VERSION]', 'go back to the model the active one was trained from, or to VERSION'],
  ['feedback [list]', 'the review queue'],
  ['feedback accept ID | reject ID', 'accept or reject a queued item for training'],
  ['feedback correct ID INTENT', 'label a queued item with INTENT and accept it'],
  ['stats', 'traffic, fallback rate, feedback counts and the active model'],
  ['help', 'this list'],
];

export function parseAdminCommand(line: string): ParsedCommand {
  const words = line
    .trim()
    .split(/\s+/u)
    .filter((w) => w.length > 0);
  if (words[0]?.toLowerCase() === '/parley' || words[0]?.toLowerCase() === 'parley') {
    words.shift();
  }
  const word = (words[0] ?? '').toLowerCase();
  const rest = words.slice(1);
  const args = rest.join(' ');
  const fail = (error: string): ParsedCommand => ({ ok: false, word, args, error });
  const ok = (command: AdminCommand): ParsedCommand => ({ ok: true, word, args, command });
  const noArgs = (command: AdminCommand) =>
    rest.length === 0 ? ok(command) : fail(`\`${word}\` takes no arguments.`);

  switch (word) {
    case 'retrain':
    case 'models':
    case 'stats':
      return noArgs({ name: word });
    case '':
    case 'help':
      return ok({ name: 'help' });
    case 'report':
      if (rest.length > 1) return fail('`report` takes at most one run id.');
      return ok(rest[0] === undefined ? { name: 'report' } : { name: 'report', run: rest[0] });
    case 'promote': {
      const version = rest.length === 1 ? parseVersion(rest[0]) : undefined;
      return version ? ok({ name: 'promote', version }) : fail(VERSION_USAGE('promote VERSION'));
    }
    case 'rollback': {
      if (rest.length === 0) return ok({ name: 'rollback' });
      const version = rest.length === 1 ? parseVersion(rest[0]) : undefined;
      return version
        ? ok({ name: 'rollback', version })
        : fail(VERSION_USAGE('rollback [VERSION]'));
    }
    case 'feedback':
      return parseFeedback(rest, ok, fail);
    default:
      return fail(`Unknown command \`${word}\`. \`help\` lists the admin commands.`);
  }
}

const VERSION_USAGE = (usage: string) =>
  `Usage: \`${usage}\`, with a version such as \`v3\` (\`models\` lists them).`;

/** `v3`, `V3` or `3` to `v3`; anything else is not a version. */
export function parseVersion(text: string): string | undefined {
  const match = /^v?(\d{1,9})$/iu.exec(text);
  if (!match) return undefined;
  const n = Number(match[1]);
  return n >= 1 ? `v${n}` : undefined;
}

function parseFeedback(
  rest: string[],
  ok: (c: AdminCommand) => ParsedCommand,
  fail: (error: string) => ParsedCommand,
): ParsedCommand {
  const [action = 'list', id, intent, ...extra] = rest;
  const usage =
    'Usage: `feedback [list]`, `feedback accept ID`, `feedback reject ID` or `feedback correct ID INTENT`.';
  switch (action.toLowerCase()) {
    case 'list':
      return rest.length <= 1 ? ok({ name: 'feedback', action: 'list' }) : fail(usage);
    case 'accept':
    case 'reject': {
      if (id === undefined || intent !== undefined) return fail(usage);
      const act = action.toLowerCase() as 'accept' | 'reject';
      return ok({ name: 'feedback', action: act, id });
    }
    case 'correct':
      if (id === undefined || intent === undefined || extra.length > 0) return fail(usage);
      return ok({ name: 'feedback', action: 'correct', id, intent });
    default:
      return fail(usage);
  }
}
