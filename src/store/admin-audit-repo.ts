import { desc } from 'drizzle-orm';
import { guard, IDEMPOTENT } from './errors.js';
import { adminAudit, type AdminAuditRow } from './schema.js';
import type { Store } from './store.js';

export interface AuditEntry {
  /** Where the command came from: slack, discord, local or cli. */
  platform: string;
  userId: string;
  command: string;
  args?: string;
  allowed: boolean;
  /** What came of it, in a few words (e.g. "run 3f2a queued", "refused: not an admin"). */
  outcome?: string | null;
}

export interface AdminAuditRepo {
  insert(entry: AuditEntry): Promise<AdminAuditRow>;
  /** Newest first. */
  list(limit?: number): Promise<AdminAuditRow[]>;
}

export function createAdminAuditRepo(store: Store): AdminAuditRepo {
  const { db } = store;

  async function insert(entry: AuditEntry): Promise<AdminAuditRow> {
    const rows = await guard('adminAudit.insert', () =>
      db.insert(adminAudit).values(entry).returning(),
    );
    return rows[0];
  }

  async function list(limit = 50): Promise<AdminAuditRow[]> {
    return guard(
      'adminAudit.list',
      () =>
        db.select().from(adminAudit).orderBy(desc(adminAudit.at), desc(adminAudit.id)).limit(limit),
      IDEMPOTENT,
    );
  }

  return { insert, list };
}
