import { createHash } from 'node:crypto';
import { ParleyError } from '../../src/core/errors.js';
import type {
  ExampleInput,
  ListenPort,
  ModelVersionInfo,
  ModelVersionRow,
  ModelVersionsPort,
  NewModelVersion,
  PromotionNotice,
  TrainingExampleRow,
  TrainingExamplesPort,
} from '../../src/registry/ports.js';
import type { FeedbackExample } from '../../src/jobs/retrain-data.js';
import type { FeedbackSource, RunsPort } from '../../src/jobs/retrain.js';

/**
 * In-memory stand-ins for the store's repositories, with the same contracts (frozen splits by
 * text hash, one active version, promotion announced to listeners). For job tests that do not
 * need a database.
 */

export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

export const keys = {
  hash: (text: string) => createHash('sha256').update(normalise(text), 'utf8').digest('hex'),
  splitOfHash: (hash: string) =>
    Number.parseInt(hash.slice(0, 8), 16) / 2 ** 32 < 0.2 ? ('test' as const) : ('train' as const),
};

/** Promotions are announced to `listen` subscribers on a later tick, as PGlite's store does. */
export function memoryModels(onPromote: (n: PromotionNotice) => void = () => undefined) {
  const listeners = new Set<(payload: string) => void>();
  const listen: ListenPort = {
    async listen(_channel, handler) {
      listeners.add(handler);
      return async () => void listeners.delete(handler);
    },
  };
  const rows: ModelVersionRow[] = [];
  const info = ({ artifact: _a, ...rest }: ModelVersionRow): ModelVersionInfo => rest;
  const find = (version: number) => rows.find((r) => r.version === version);

  const port: ModelVersionsPort & { rows: ModelVersionRow[]; listen: ListenPort } = {
    rows,
    listen,
    async insertCandidate(input: NewModelVersion) {
      const row = toRow(rows.length + 1, 'candidate', input);
      rows.push(row);
      return info(row);
    },
    async ensureInitial(input) {
      if (rows.length > 0)
        return { created: false, active: info(rows.find((r) => r.status === 'active')!) };
      const row = { ...toRow(1, 'active', input), promotedAt: new Date() };
      rows.push(row);
      return { created: true, active: info(row) };
    },
    getActive: async () => rows.find((r) => r.status === 'active'),
    activeVersion: async () => rows.find((r) => r.status === 'active')?.version,
    get: async (version) => find(version),
    list: async () => [...rows].reverse().map(info),
    async promote(version) {
      const target = find(version);
      if (!target) throw new ParleyError('NOT_FOUND', `model version ${version} does not exist`);
      const current = rows.find((r) => r.status === 'active');
      if (current === target) return { version, previous: version };
      if (current) current.status = 'retired';
      target.status = 'active';
      target.promotedAt = new Date();
      const notice = { version, previous: current?.version ?? null };
      setImmediate(() => {
        onPromote(notice);
        for (const listener of listeners) listener(JSON.stringify(notice));
      });
      return notice;
    },
    async rollback() {
      throw new ParleyError('NOT_FOUND', 'not used in these tests');
    },
    async reject(version) {
      const row = find(version);
      if (row?.status === 'candidate') row.status = 'rejected';
    },
    async setMetrics(version, metrics) {
      find(version)!.metrics = metrics;
    },
  };
  return port;
}

function toRow(version: number, status: ModelVersionRow['status'], input: NewModelVersion) {
  return {
    version,
    status,
    artifact: input.artifact,
    sha256: createHash('sha256').update(input.artifact).digest('hex'),
    manifest: input.manifest,
    metrics: input.metrics ?? null,
    parentVersion: input.parentVersion ?? null,
    runId: input.runId ?? null,
    createdAt: new Date(),
    promotedAt: null,
  } satisfies ModelVersionRow;
}

export function memoryExamples() {
  const rows: TrainingExampleRow[] = [];
  const port: TrainingExamplesPort & { rows: TrainingExampleRow[] } = {
    rows,
    async insertMany(inputs: ExampleInput[], opts) {
      let written = 0;
      for (const input of inputs) {
        const hash = keys.hash(input.text);
        const stored = rows.find((r) => r.textHash === hash);
        const same = rows.find((r) => r.textHash === hash && r.origin === opts.origin);
        if (same && opts.onConflict !== 'replace') continue;
        const row: TrainingExampleRow = {
          id: same?.id ?? rows.length + 1,
          text: input.text,
          intent: input.intent,
          entities: input.entities,
          origin: opts.origin,
          split: stored?.split ?? keys.splitOfHash(hash),
          source: input.source ?? null,
          textHash: hash,
        };
        if (same) Object.assign(same, row);
        else rows.push(row);
        written++;
      }
      return { written, skipped: inputs.length - written };
    },
    list: async (filter = {}) =>
      rows.filter(
        (r) =>
          (!filter.split || r.split === filter.split) &&
          (!filter.origins || filter.origins.includes(r.origin)),
      ),
    counts: async () => [],
  };
  return port;
}

export interface MemoryRun {
  id: string;
  trigger: string;
  requestedBy: string | null;
  slotKey: string | null;
  status: string;
  decision?: string;
  reason?: string;
  log: { level: string; msg: string }[];
  candidateVersion?: number | null;
  reportMarkdown?: string | null;
  chartPng?: Uint8Array | null;
}

export function memoryRuns() {
  const runs: MemoryRun[] = [];
  const find = (id: string) => runs.find((r) => r.id === id)!;
  const port: RunsPort & { runs: MemoryRun[] } = {
    runs,
    async create(input) {
      if (input.slotKey && runs.some((r) => r.slotKey === input.slotKey)) return undefined;
      const id = `${(runs.length + 1).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
      runs.push({
        id,
        trigger: input.trigger,
        requestedBy: input.requestedBy ?? null,
        slotKey: input.slotKey ?? null,
        status: 'queued',
        log: [],
      });
      return { id };
    },
    start: async (id) => void (find(id).status = 'running'),
    appendLog: async (id, level, msg) => void find(id).log.push({ level, msg }),
    setCandidate: async (id, version) => void (find(id).candidateVersion = version),
    finish: async (id, outcome) => void Object.assign(find(id), outcome),
    listOpen: async () => runs.filter((r) => r.status === 'queued' || r.status === 'running'),
    async failAbandonedRuns(reason) {
      const open = runs.filter((r) => r.status === 'running');
      for (const run of open) Object.assign(run, { status: 'failed', decision: 'failed', reason });
      return open.map((r) => r.id);
    },
  };
  return port;
}

export interface MemoryFeedback extends FeedbackExample {
  status: 'accepted' | 'pending' | 'used' | 'rejected';
}

export function memoryFeedback(items: MemoryFeedback[] = []) {
  const source: FeedbackSource & { items: MemoryFeedback[] } = {
    items,
    accepted: async ({ includeUps }) =>
      items.filter(
        (i) =>
          i.status === 'accepted' && (i.kind === 'correction' || (includeUps && i.kind === 'up')),
      ),
    async markUsed(ids) {
      for (const i of items) if (ids.includes(i.feedbackId)) i.status = 'used';
    },
    async returnToQueue(ids) {
      for (const i of items) if (ids.includes(i.feedbackId)) i.status = 'pending';
    },
  };
  return source;
}

/** Corrections as accepted feedback rows. */
export function asFeedback(
  examples: {
    text: string;
    intent: string;
    entities: { type: string; start: number; end: number }[];
  }[],
  prefix = 'fb',
): MemoryFeedback[] {
  return examples.map((e, i) => ({
    feedbackId: `${prefix}-${String(i).padStart(4, '0')}`,
    kind: 'correction',
    text: e.text,
    intent: e.intent,
    entities: e.entities.map(({ type, start, end }) => ({ type, start, end })),
    status: 'accepted',
  }));
}

/** An in-process lock like PGlite's. */
export function memoryLock() {
  const held = new Set<string>();
  return async <T>(key: string, fn: () => Promise<T>) => {
    if (held.has(key)) return { ran: false as const };
    held.add(key);
    try {
      return { ran: true as const, value: await fn() };
    } finally {
      held.delete(key);
    }
  };
}
