import { ParleyError } from '../../src/core/errors.js';
import type {
  AdminDeps,
  AuditEntry,
  ModelSummary,
  ReviewItem,
  RunSummary,
} from '../../src/admin/ports.js';
import type { ReportAttachment } from '../../src/admin/types.js';
import { createRetrainLauncher, type RunStarter } from '../../src/jobs/launcher.js';
import type { RunOutcome } from '../../src/jobs/types.js';

/** In-memory admin ports: a registry of versions, runs, a review queue and an audit list. */
export interface FakeAdmin {
  deps: AdminDeps;
  audit: AuditEntry[];
  models: ModelSummary[];
  queue: ReviewItem[];
  runs: { run: RunSummary; report: ReportAttachment | null }[];
  promotions: string[];
}

export function fakeAdmin(options: { run?: RunStarter; ackMs?: number } = {}): FakeAdmin {
  const state: Omit<FakeAdmin, 'deps'> = {
    audit: [],
    models: [model('v2', 'active', 'v1'), model('v1', 'retired', null)],
    queue: [
      review('1a2b3c4d-0000-4000-8000-000000000001', 'down', 'where is my parcel'),
      review('5e6f7a8b-0000-4000-8000-000000000002', 'correction', 'cancel my plan'),
    ],
    runs: [],
    promotions: [],
  };
  const run: RunStarter =
    options.run ??
    (async ({ onStarted }) => {
      onStarted('0badc0de-0000-4000-8000-000000000000');
      return skipped('0badc0de-0000-4000-8000-000000000000');
    });

  function activate(version: string, by: string) {
    const target = state.models.find((m) => m.version === version);
    if (!target) {
      throw new ParleyError('NOT_FOUND', `There is no model ${version}; \`models\` lists them.`);
    }
    const active = state.models.find((m) => m.status === 'active');
    if (active === target) return { kind: 'already-active' as const, version };
    if (active) active.status = 'retired';
    target.status = 'active';
    state.promotions.push(`${by}:${version}`);
    return { kind: 'promoted' as const, from: active?.version ?? null, to: version };
  }

  const deps: AdminDeps = {
    ackMs: options.ackMs,
    audit: { record: async (entry) => void state.audit.push(entry) },
    launcher: createRetrainLauncher({ run, ackMs: 1_000 }),
    runs: {
      async report(ref) {
        const found = ref ? state.runs.find((r) => r.run.runId.startsWith(ref)) : state.runs.at(-1);
        return found;
      },
      recent: async (limit) => state.runs.slice(-limit).map((r) => r.run),
    },
    models: {
      list: async () => state.models,
      promote: async (version, by) => activate(version, by),
      async rollback(by, version) {
        const active = state.models.find((m) => m.status === 'active');
        const target = version ?? active?.parentVersion;
        if (!target) throw new ParleyError('CONFLICT', 'nothing to roll back to');
        return activate(target, by);
      },
    },
    feedback: {
      queue: async (limit) => state.queue.filter((i) => i.status === 'pending').slice(0, limit),
      async find(ref) {
        const item = state.queue.find((i) => i.id.startsWith(ref));
        if (!item) throw new ParleyError('NOT_FOUND', `No feedback matches ${ref}.`);
        return item;
      },
      async setStatus(id, status) {
        state.queue.find((i) => i.id === id)!.status = status;
      },
      async correct(id, intent) {
        const item = state.queue.find((i) => i.id === id)!;
        Object.assign(item, { kind: 'correction', correctedIntent: intent, status: 'accepted' });
      },
    },
    stats: async () => ({
      windowHours: 24,
      messagesIn: 40,
      replies: 40,
      fallbacks: 6,
      handoffs: 1,
      feedback: [
        { kind: 'up', status: 'accepted', n: 5 },
        { kind: 'down', status: 'pending', n: 2 },
      ],
      activeModel: { version: 'v2', accuracy: 0.912, macroF1: 0.9 },
    }),
    intents: () => ['greet', 'order_status', 'cancel_order', 'out_of_scope'],
  };
  return { ...state, deps };
}

export function skipped(runId: string | null): RunOutcome {
  return {
    runId,
    status: 'skipped',
    decision: 'skipped',
    reason: 'nothing new since v2',
    skip: 'nothing-new',
    candidateVersion: null,
    metrics: { before: null, after: null },
  };
}

function model(version: string, status: ModelSummary['status'], parent: string | null) {
  return {
    version,
    status,
    parentVersion: parent,
    runId: null,
    createdAt: new Date('2026-03-01T00:00:00Z'),
    promotedAt: status === 'active' ? new Date('2026-03-02T00:00:00Z') : null,
    accuracy: 0.9,
  } satisfies ModelSummary;
}

function review(id: string, kind: ReviewItem['kind'], text: string): ReviewItem {
  return {
    id,
    kind,
    status: 'pending',
    text,
    predictedIntent: 'greet',
    correctedIntent: kind === 'correction' ? 'cancel_order' : null,
    note: null,
    createdAt: new Date('2026-03-03T00:00:00Z'),
  };
}
