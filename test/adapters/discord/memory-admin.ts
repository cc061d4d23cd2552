/**
 * TEST DOUBLE: an admin handler with the contract of src/admin (refuses non-admins politely,
 * audits every call, answers slow work with `later`). It keeps a model list and an audit log in
 * memory; commands can be made slow or given a later result by the test.
 */
import type {
  AdminContext,
  AdminHandler,
  AdminReply,
  ReportAttachment,
} from '../../../src/admin/types.js';

export const REFUSAL = 'Sorry, only Parley admins can use admin commands.';

export interface AuditRow {
  userId: string;
  isAdmin: boolean;
  commandLine: string;
  outcome: string;
}

export function createMemoryAdmin() {
  const state = {
    active: 'v2',
    versions: ['v1', 'v2'],
    calls: [] as { ctx: AdminContext; commandLine: string }[],
    audit: [] as AuditRow[],
    /** Milliseconds each command word takes before answering. */
    slow: new Map<string, number>(),
    /** What `retrain` settles with later. */
    retrainResult: undefined as Promise<{ text: string; report?: ReportAttachment }> | undefined,
  };

  async function execute(ctx: AdminContext, commandLine: string): Promise<AdminReply> {
    state.calls.push({ ctx, commandLine });
    const [word = 'help', ...args] = commandLine.trim().split(/\s+/);
    const audit = (outcome: string) =>
      state.audit.push({ userId: ctx.userId, isAdmin: ctx.isAdmin, commandLine, outcome });

    if (!ctx.isAdmin) {
      audit('refused: not an admin');
      return { ok: false, text: REFUSAL };
    }
    const wait = state.slow.get(word);
    if (wait) await new Promise((resolve) => setTimeout(resolve, wait));

    switch (word) {
      case 'rollback': {
        const target = args[0] ?? state.versions[state.versions.indexOf(state.active) - 1];
        if (!target || !state.versions.includes(target)) {
          audit('error: unknown version');
          return { ok: false, text: `Unknown version ${args[0]}.` };
        }
        state.active = target;
        audit(`ok: active ${target}`);
        return { ok: true, text: `Rolled back: ${target} is active.` };
      }
      case 'models':
        audit('ok');
        return {
          ok: true,
          text: state.versions.map((v) => (v === state.active ? `${v} (active)` : v)).join('\n'),
        };
      case 'retrain':
        audit('ok: started');
        return {
          ok: true,
          text: 'Retraining run 7 started; the result follows.',
          later: state.retrainResult ?? Promise.resolve({ text: 'Run 7 finished.' }),
        };
      default:
        audit('ok');
        return { ok: true, text: `Ran ${commandLine}.` };
    }
  }

  const handler: AdminHandler = { execute };
  return Object.assign(state, handler);
}
