// Hand-offs to other teams: the tech team's ticket and on-call paging (SMS through the gateway).
import { createHash } from 'node:crypto';
import type { SmsGateway } from '../integrations/sms';
import { asActivityFailure } from './external-errors';
import type { ActionMeta } from './meta';

export function createHandoffActivities(sms: SmsGateway, onCallPhones: Record<string, string>) {
  return {
    /** The tech team's tracker is reached through the integrations issue; until then the id is ours, stable per ticket. */
    async createTechTicket(input: { summary: string; appVersion?: string | null; region?: string | null }, meta: ActionMeta) {
      const techTicketId = `TECH-${createHash('sha1').update(meta.idempotencyKey).digest('hex').slice(0, 8).toUpperCase()}`;
      return { techTicketId, summary: input.summary.slice(0, 200), appVersion: input.appVersion ?? null, region: input.region ?? null };
    },
    async notifyOnCall(input: { group: string; summary: string }, meta: ActionMeta) {
      const phone = onCallPhones[input.group];
      if (!phone) return { notifiedAt: null, reason: `no on-call phone configured for ${input.group}` };
      try {
        const message = await sms.send(phone, `[Ticketflow ${input.group}] ticket ${meta.ticketId}: ${input.summary.slice(0, 120)}`);
        return { notifiedAt: message.at, phone: phone.replace(/(\d{3})\d{4}(\d{4})/, '$1****$2') };
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  };
}
