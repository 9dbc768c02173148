// Hand-offs to other teams: the tech team's ticket and on-call paging (SMS through the gateway,
// batched per group and window by the pager workflow so a burst cannot flood the pager).
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { SmsGateway } from '../integrations/sms';
import { pageSignal } from '../workflows/definitions';
import type { PagerInput } from '../workflows/types';
import { asActivityFailure } from './external-errors';
import type { ActionMeta } from './meta';

export interface PagerDeps {
  /** a client to start or signal the pager workflows (same namespace, payload codec included) */
  client: Client;
  taskQueue: string;
  /** one SMS per on-call group per window (PAGER_WINDOW_MS) */
  windowMs: number;
}

/** An SMS is at most this long; ids that do not fit are counted, not listed. */
const SMS_BUDGET = 900;

export function pageText(group: string, ticketIds: string[]): string {
  const head = `[Ticketflow ${group}] ${ticketIds.length} ticket${ticketIds.length === 1 ? '' : 's'} to handle:`;
  const listed: string[] = [];
  let length = head.length;
  for (const id of ticketIds) {
    if (length + id.length + 1 > SMS_BUDGET - 20) break;
    listed.push(id);
    length += id.length + 1;
  }
  const rest = ticketIds.length - listed.length;
  return `${head} ${listed.join(' ')}${rest ? ` (+${rest} more in the ${group} queue)` : ''}`;
}

/** One pager per group and task queue (test files share a server, each with its own queue). */
export const pagerWorkflowId = (taskQueue: string, group: string) => `pager-${group}-${taskQueue}`;

export const maskedPhone = (phone: string) => phone.replace(/(\d{3})\d{4}(\d{4})/, '$1****$2');

export function createHandoffActivities(sms: SmsGateway, onCallPhones: Record<string, string>, pager: PagerDeps) {
  return {
    /** The tech team's tracker is reached through the integrations issue; until then the id is ours, stable per ticket. */
    async createTechTicket(input: { summary: string; appVersion?: string | null; region?: string | null }, meta: ActionMeta) {
      const techTicketId = `TECH-${createHash('sha1').update(meta.idempotencyKey).digest('hex').slice(0, 8).toUpperCase()}`;
      return { techTicketId, summary: input.summary.slice(0, 200), appVersion: input.appVersion ?? null, region: input.region ?? null };
    },

    /** Queues the ticket with its group's pager; the page itself goes out at the end of the window. */
    async notifyOnCall(input: { group: string; summary: string }, meta: ActionMeta) {
      const phone = onCallPhones[input.group];
      if (!phone) return { notifiedAt: null, reason: `no on-call phone configured for ${input.group}` };
      const workflowId = pagerWorkflowId(pager.taskQueue, input.group);
      const args: [PagerInput] = [{ group: input.group, windowMs: pager.windowMs }];
      await pager.client.workflow.signalWithStart('pagerWorkflow', { workflowId, taskQueue: pager.taskQueue, args, signal: pageSignal, signalArgs: [{ ticketId: meta.ticketId }] });
      return { queuedAt: new Date().toISOString(), pager: workflowId, windowMs: pager.windowMs, phone: maskedPhone(phone) };
    },
  };
}

/** The pager workflow's own activity (not an SOP action). */
export function createPagerActivities(sms: SmsGateway, onCallPhones: Record<string, string>) {
  return {
    /** One SMS for a window's tickets; the key makes retries of the same window send it once. */
    async sendPage(input: { group: string; ticketIds: string[]; idempotencyKey: string }) {
      const phone = onCallPhones[input.group];
      if (!phone) return { notifiedAt: null, reason: `no on-call phone configured for ${input.group}` };
      try {
        const message = await sms.send(phone, pageText(input.group, input.ticketIds), input.idempotencyKey);
        return { notifiedAt: message.at, messageId: message.id, phone: maskedPhone(phone), count: input.ticketIds.length };
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  };
}
