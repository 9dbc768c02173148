// The custom search attributes engineers filter tickets by in the Temporal UI.
// Registered by temporal-dev.yml on the dev server and by ensureSearchAttributes elsewhere.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TicketType = defineSearchAttributeKey('TicketType', SearchAttributeType.KEYWORD);
export const TicketSubtype = defineSearchAttributeKey('TicketSubtype', SearchAttributeType.KEYWORD);
export const SkillGroup = defineSearchAttributeKey('SkillGroup', SearchAttributeType.KEYWORD);
export const Priority = defineSearchAttributeKey('Priority', SearchAttributeType.INT);
export const TicketStatus = defineSearchAttributeKey('TicketStatus', SearchAttributeType.KEYWORD);
export const OrderId = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
export const Region = defineSearchAttributeKey('Region', SearchAttributeType.KEYWORD);
export const Channel = defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD);

export const ticketSearchAttributes = [TicketType, TicketSubtype, SkillGroup, Priority, TicketStatus, OrderId, Region, Channel];
