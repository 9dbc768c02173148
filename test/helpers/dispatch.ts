// Work distribution in tests: agents with groups and capacity, and tickets waiting in a group's queue
// (a triage version whose first step is a human task of that group, published in the file's own database).
import type { StaffRole } from '../../api/access-rules';
import { loadDefaultSops } from '../../sops/load';
import { publishSopVersion, waitForEvent } from './flows';
import type { TestStack } from './stack';
import { api, postTicket } from './tickets';

/** A staff session whose profile has these groups (made by an admin); returns its token. */
export async function agent(stack: TestStack, id: string, groups: string[], opts: { max?: number; status?: 'online' | 'away' | 'offline'; role?: StaffRole } = {}) {
  const token = await stack.auth.staff(id, opts.role ?? 'agent');
  const { status, body } = await api(stack, 'PATCH', `/v1/agents/${id}`, { payload: { groups, maxConcurrent: opts.max ?? 5, status: opts.status ?? 'online' }, as: stack.auth.admin });
  if (status !== 200) throw new Error(`PATCH /v1/agents/${id} answered ${status}: ${JSON.stringify(body)}`);
  return token;
}

const triage = loadDefaultSops().find((d) => d.type === 'triage')!;
let published: Map<string, number> | undefined;

/**
 * Publishes (once per shape) a triage version that starts with a human task of `group`, then opens `n` tickets on it
 * and waits until each one's task has been entered. `policy` sets the step's SLA (`$sla`) and the rest.
 */
export async function ticketsInQueue(stack: TestStack, group: string, n: number, opts: { sla?: number; onBreach?: object; text?: string } = {}) {
  const key = JSON.stringify([group, opts.sla, opts.onBreach]);
  published ??= new Map();
  if (!published.has(key)) {
    const document = {
      type: 'triage',
      name: { zh: '分派测试', en: 'Dispatch test' },
      appliesTo: triage.appliesTo,
      start: 'handle',
      policy: { sla: opts.sla ?? 3_600_000 },
      steps: {
        handle: { kind: 'human_task', owner: group, group, task: { zh: '处理', en: 'Handle it' }, decisions: ['done'], data: {}, sla: '$sla', ...(opts.onBreach ? { onBreach: opts.onBreach } : {}), next: 'close' },
        close: { kind: 'close', owner: 'system', resolution: 'resolved' },
      },
    };
    const answer = await publishSopVersion(stack, 'triage', document);
    if (answer.status !== 201) throw new Error(`publish answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    published.set(key, answer.body.version);
  }
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const created = await postTicket(stack, { text: opts.text ?? '你好,在吗?', userId: `U-dispatch-${i}` });
    const ticket = created.body.tickets[0];
    if (ticket.sopVersion !== published.get(key)) throw new Error(`ticket runs triage v${ticket.sopVersion}, not v${published.get(key)}`);
    ids.push(ticket.id);
  }
  for (const id of ids) await waitForEvent(stack, id, (e) => e.step === 'handle' && e.kind === 'entered');
  return ids;
}

export async function queue(stack: TestStack, group: string, as?: string) {
  const { status, body } = await api(stack, 'GET', `/v1/queues/${group}`, { as: as ?? stack.auth.admin });
  if (status !== 200) throw new Error(`GET /v1/queues/${group} answered ${status}`);
  return body.items as Array<{ ticketId: string; holder: string | null; confirmed: boolean; effectivePriority: number; remainingMs: number | null; paused: boolean; step: string; deadline: string | null; breached: boolean }>;
}
