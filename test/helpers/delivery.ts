// Reading what the delivery drain sent: the outbox rows of a ticket, the real Mailpit that `npm test`
// started (its HTTP API), the sandbox SMS gateway and the in-app inbox.
import { and, asc, eq } from 'drizzle-orm';
import { createSmsClient } from '../../integrations/sms';
import { deliveryOutbox, type OutboxRow } from '../../schema';
import { poll } from './flows';
import type { TestStack } from './stack';

export interface MailpitSummary {
  ID: string;
  MessageID: string;
  Subject: string;
  To: Array<{ Address: string }>;
}

export const mailpitUrl = () => {
  const url = process.env.MAILPIT_URL;
  if (!url) throw new Error('MAILPIT_URL is unset: run the tests through `npm test`, which starts Mailpit');
  return url;
};

/** Every message Mailpit received for one address (oldest first). */
export async function mailsTo(address: string): Promise<MailpitSummary[]> {
  const res = await fetch(`${mailpitUrl()}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=200`);
  if (!res.ok) throw new Error(`Mailpit search answered ${res.status}`);
  const body = (await res.json()) as { messages: MailpitSummary[] };
  return body.messages.filter((m) => m.To.some((to) => to.Address === address)).reverse();
}

export async function mailText(id: string): Promise<{ Subject: string; Text: string; MessageID: string }> {
  const res = await fetch(`${mailpitUrl()}/api/v1/message/${id}`);
  if (!res.ok) throw new Error(`Mailpit message ${id} answered ${res.status}`);
  return (await res.json()) as { Subject: string; Text: string; MessageID: string };
}

export async function outboxOf(stack: TestStack, ticketId: string, notice?: string): Promise<OutboxRow[]> {
  return stack.db
    .select()
    .from(deliveryOutbox)
    .where(notice ? and(eq(deliveryOutbox.ticketId, ticketId), eq(deliveryOutbox.notice, notice)) : eq(deliveryOutbox.ticketId, ticketId))
    .orderBy(asc(deliveryOutbox.id));
}

/** Waits until every row of the notice has left pending (sent, skipped or failed). */
export function waitForNotice(stack: TestStack, ticketId: string, notice: string, fits: (rows: OutboxRow[]) => boolean = (rows) => rows.length > 0 && rows.every((r) => r.status !== 'pending'), timeoutMs = 20_000) {
  return poll(`the ${notice} notice of ${ticketId}`, async () => {
    const rows = await outboxOf(stack, ticketId, notice);
    return fits(rows) ? rows : undefined;
  }, timeoutMs);
}

export const smsTo = async (stack: TestStack, phone: string) => createSmsClient(stack.sandbox.smsApiUrl).list(phone);
