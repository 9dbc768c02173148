// Which ticket events are notices to the user, and their outbox rows. Called inside the store's
// transactions: the notice is queued exactly when (and only if) its event is written.
import type { DeliveryChannel } from '../schema';
import type { Notice } from '../domain/notices';

export interface OutboxEntry {
  notice: Notice;
  channels: DeliveryChannel[];
  params: Record<string, unknown>;
}

/** Lifecycle notices go to every channel; the drain applies the user's preferences. */
export const LIFECYCLE_CHANNELS: DeliveryChannel[] = ['in_app', 'sms', 'email'];
const KNOWN: ReadonlySet<string> = new Set(LIFECYCLE_CHANNELS);

/** The notices one ticket event causes (none for most events). */
export function noticesOf(event: { kind: string; data: Record<string, unknown> }): OutboxEntry[] {
  const d = event.data;
  switch (event.kind) {
    case 'created':
      return [{ notice: 'received', channels: LIFECYCLE_CHANNELS, params: {} }];
    case 'notified': {
      // an SOP notify step: to the user on the channels it declares; notices to groups are the pager's job
      if (d.to !== 'user' || typeof d.message !== 'string') return [];
      const declared = Array.isArray(d.channels) ? d.channels.filter((c): c is DeliveryChannel => typeof c === 'string' && KNOWN.has(c)) : [];
      return [{ notice: 'notice', channels: declared.length ? declared : ['in_app'], params: { message: d.message } }];
    }
    case 'entered':
      // the confirmation wait: its seq is the wait the links answer, its deadline their expiry
      if (d.signal === 'confirmation') return [{ notice: 'proposed', channels: LIFECYCLE_CHANNELS, params: { deadline: d.deadline } }];
      if (typeof d.group === 'string') return [{ notice: 'assigned', channels: LIFECYCLE_CHANNELS, params: { group: d.group } }];
      return [];
    case 'escalated':
      return typeof d.to === 'string' ? [{ notice: 'escalated', channels: LIFECYCLE_CHANNELS, params: { group: d.to } }] : [];
    case 'archived': {
      const resolution = (d.resolution ?? {}) as Record<string, unknown>;
      return [
        { notice: 'resolved', channels: LIFECYCLE_CHANNELS, params: { resolution: resolution.code, ...amountsOf(resolution) } },
        { notice: 'survey', channels: LIFECYCLE_CHANNELS, params: {} },
      ];
    }
    default:
      return [];
  }
}

/** Money a resolution paid or offers (fen), found in its usual places. */
function amountsOf(resolution: Record<string, unknown>): { amountFen?: number; solutionKind?: string } {
  const solution = resolution.solution as { kind?: unknown; amountFen?: unknown } | undefined;
  const amount = typeof solution?.amountFen === 'number' ? solution.amountFen : typeof resolution.amountFen === 'number' ? resolution.amountFen : undefined;
  return { ...(amount !== undefined ? { amountFen: amount } : {}), ...(typeof solution?.kind === 'string' ? { solutionKind: solution.kind } : {}) };
}

export const dedupeKeyOf = (ticketId: string, seq: number, notice: Notice, channel: DeliveryChannel) => `${ticketId}:${seq}:${notice}:${channel}`;

export function outboxRows(ticketId: string, seq: number, event: { kind: string; data: Record<string, unknown> }) {
  return noticesOf(event).flatMap((e) => e.channels.map((channel) => ({ dedupeKey: dedupeKeyOf(ticketId, seq, e.notice, channel), ticketId, eventSeq: seq, notice: e.notice, channel, params: e.params })));
}
