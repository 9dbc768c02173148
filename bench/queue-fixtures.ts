// Queue rows written straight into PostgreSQL (no workflows): for the order and concurrency tests and
// the dispatch benchmark, which measure claims, not Temporal. Each row has its ticket (the queue joins it).
import { agentProfiles, intakeRequests, queueItems, staff, tickets, type Database } from '../schema';

export interface Row {
  id: string;
  group: string;
  priority: number;
  /** how long ago it entered the queue */
  waitedMs?: number;
  /** SLA time left; undefined: no SLA */
  deadlineInMs?: number;
}

/** Inserts tickets and their queue rows in batches of 500. */
export async function insertQueueRows(db: Database, rows: Row[], now = Date.now()): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const batch = rows.slice(i, i + 500);
    await db.transaction(async (tx) => {
      await tx.insert(intakeRequests).values(batch.map((r) => ({ requestId: `req-${r.id}`, userId: 'U-bench', channel: 'app', language: 'zh', text: '测试' })));
      await tx.insert(tickets).values(
        batch.map((r) => ({
          id: r.id, requestId: `req-${r.id}`, workflowId: `ticket-${r.id}`, category: 'general', subtype: 'other', skillGroup: r.group, priority: r.priority, status: 'in_progress' as const,
          channel: 'app', userId: 'U-bench', userTier: 'standard', language: 'zh', originalText: '测试', issueText: '测试', sopType: 'triage', sopVersion: 1,
        })),
      );
      await tx.insert(queueItems).values(
        batch.map((r) => ({
          ticketId: r.id, group: r.group, step: 'handle', state: 'queued' as const, seq: 1, priority: r.priority,
          enteredAt: new Date(now - (r.waitedMs ?? 0)), deadline: r.deadlineInMs === undefined ? null : new Date(now + r.deadlineInMs),
        })),
      );
    });
  }
}

/** Agents (staff rows without a usable password, and profiles) for claims. */
export async function insertAgents(db: Database, agents: Array<{ id: string; groups: string[]; max: number }>): Promise<void> {
  await db.insert(staff).values(agents.map((a) => ({ id: a.id, username: a.id, role: 'agent', passwordHash: '!', createdBy: 'fixture' }))).onConflictDoNothing();
  await db.insert(agentProfiles).values(agents.map((a) => ({ staffId: a.id, groups: a.groups, maxConcurrent: a.max, status: 'online' as const }))).onConflictDoNothing();
}

