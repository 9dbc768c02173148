// The read model. Temporal holds process state; these tables are what the API, the console and analytics read.
import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const TICKET_STATUSES = ['triage', 'open', 'in_progress', 'awaiting_confirmation', 'awaiting_user', 'escalated', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** One row per accepted POST /v1/tickets; written with its tickets in one transaction. */
export const intakeRequests = pgTable('intake_requests', {
  requestId: text('request_id').primaryKey(),
  userId: text('user_id').notNull(),
  channel: text('channel').notNull(),
  language: text('language').notNull(),
  text: text('text').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const tickets = pgTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => intakeRequests.requestId),
    workflowId: text('workflow_id').notNull().unique(),
    category: text('category').notNull(),
    subtype: text('subtype').notNull(),
    skillGroup: text('skill_group').notNull(),
    priority: integer('priority').notNull(),
    priorityFactors: jsonb('priority_factors').notNull().default([]),
    status: text('status').$type<TicketStatus>().notNull(),
    currentStep: text('current_step'),
    channel: text('channel').notNull(),
    userId: text('user_id').notNull(),
    userTier: text('user_tier').notNull(),
    orderId: text('order_id'),
    region: text('region'),
    appVersion: text('app_version'),
    language: text('language').notNull(),
    /** the whole message as the user wrote it */
    originalText: text('original_text').notNull(),
    /** the part of the message this ticket is about */
    issueText: text('issue_text').notNull(),
    sopType: text('sop_type').notNull(),
    sopVersion: integer('sop_version').notNull(),
    resolution: jsonb('resolution'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    index('tickets_status_idx').on(t.status, t.skillGroup, t.priority),
    index('tickets_user_idx').on(t.userId, t.createdAt),
    index('tickets_order_idx').on(t.orderId),
    // windows of anomaly detection and the analytics' time ranges
    index('tickets_created_at_idx').on(t.createdAt),
  ],
);

/** Append-only history of every step transition; (ticket, seq) makes writes idempotent. */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id),
    seq: integer('seq').notNull(),
    step: text('step').notNull(),
    kind: text('kind').notNull(),
    actor: text('actor').notNull(),
    data: jsonb('data').notNull().default({}),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** the SOP the event ran under (a triage reroute changes it mid-ticket); null only for rows no migration could place */
    sopType: text('sop_type'),
    sopVersion: integer('sop_version'),
    /** the kind of the SOP step (action, human_task, …); null for events outside the steps (intake, rating, reopen) */
    stepKind: text('step_kind'),
  },
  (t) => [uniqueIndex('ticket_events_ticket_seq_idx').on(t.ticketId, t.seq), index('ticket_events_kind_at_idx').on(t.kind, t.at)],
);

/** Published SOP versions: immutable; a ticket keeps the version it started with. */
export const sopVersions = pgTable(
  'sop_versions',
  {
    type: text('type').notNull(),
    version: integer('version').notNull(),
    document: jsonb('document').notNull(),
    publishedBy: text('published_by').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.type, t.version] })],
);

export type TicketRow = typeof tickets.$inferSelect;
export type TicketEventRow = typeof ticketEvents.$inferSelect;

export * from './tables/access';
export * from './tables/analytics';
export * from './tables/dispatch';
export * from './tables/delivery';
export * from './tables/kb';
export * from './tables/orders';
export * from './tables/analytics';
export * from './tables/rollups';
