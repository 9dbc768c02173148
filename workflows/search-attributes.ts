// The custom search attributes engineers filter tickets by in the Temporal UI.
// Registered by temporal-dev.yml on the dev server and by ensureSearchAttributes elsewhere.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const TicketType = defineSearchAttributeKey('TicketType', SearchAttributeType.KEYWORD);
export const TicketSubtype = defineSearchAttributeKey('TicketSubtype', SearchAttributeType.KEYWORD);
export const SkillGroup = defineSearchAttributeKey('SkillGroup', SearchAttributeType.KEYWORD);
export const Priority = defineSearchAttributeKey('Priority', SearchAttributeType.INT);
export const TicketStatus = defineSearchAttributeKey('TicketStatus', SearchAttributeType.KEYWORD);
export const OrderId = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
export const Region = defineSearchAttributeKey('Region', SearchAttributeType.KEYWORD);
export const Channel = defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD);

export const ticketSearchAttributes = [TicketType, TicketSubtype, SkillGroup, Priority, TicketStatus, OrderId, Region, Channel];

/** A ticket workflow's attributes at its start (the workflow upserts status, group and type as they change). */
export function ticketStartAttributes(t: { sopType: string; subtype: string; skillGroup: string; priority: number; status: string; channel: string; orderId: string | null; region: string | null }): SearchAttributePair[] {
  return [
    { key: TicketType, value: t.sopType },
    { key: TicketSubtype, value: t.subtype },
    { key: SkillGroup, value: t.skillGroup },
    { key: Priority, value: t.priority },
    { key: TicketStatus, value: t.status },
    { key: Channel, value: t.channel },
    ...(t.orderId ? [{ key: OrderId, value: t.orderId }] : []),
    ...(t.region ? [{ key: Region, value: t.region }] : []),
  ];
}
