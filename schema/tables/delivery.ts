// Keeping users informed: the delivery outbox (written with the ticket event that causes a notice, in
// the same transaction), its attempt log, the in-app inbox and each user's channel preferences.
// The outbox is drained by activities/delivery.ts; the API reads messages and writes preferences.
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const DELIVERY_CHANNELS = ['in_app', 'sms', 'email'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export const DELIVERY_STATUSES = ['pending', 'sent', 'skipped', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One row per message and channel. `dedupe_key` ("<ticket>:<seq>:<notice>:<channel>") makes the write
 * idempotent (an activity retry writes nothing twice) and is the key every channel deduplicates on
 * (SMS Idempotency-Key, e-mail Message-ID, the in-app message's own key). The row is also the
 * delivery log's summary: status, attempts, last error.
 */
export const deliveryOutbox = pgTable(
  'delivery_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    dedupeKey: text('dedupe_key').notNull(),
    ticketId: text('ticket_id').notNull(),
    /** seq of the ticket event that caused the notice (the confirmation wait's `entered` for a proposal) */
    eventSeq: integer('event_seq').notNull(),
    /** the template: received, assigned, proposed, resolved, escalated, survey, notice (an SOP notify step) */
    notice: text('notice').notNull(),
    channel: text('channel').$type<DeliveryChannel>().notNull(),
    /** what the template needs, without personal data (the step's rendered message, group, deadline, …) */
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * set just before the message is handed to SMS or SMTP, cleared when the row leaves pending: a drain that claims
     * a row with it set knows an earlier hand-over's outcome is unknown (it asks the relay before sending again)
     */
    sendingSince: timestamp('sending_since', { withTimezone: true }),
    /** a drain that claimed the row holds it until then (several workers drain at once) */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('delivery_outbox_dedupe_idx').on(t.dedupeKey), index('delivery_outbox_due_idx').on(t.status, t.nextAttemptAt), index('delivery_outbox_ticket_idx').on(t.ticketId)],
);

/** Every attempt of every outbox row: when, the outcome and the error. */
export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    outboxId: integer('outbox_id').notNull(),
    channel: text('channel').$type<DeliveryChannel>().notNull(),
    attempt: integer('attempt').notNull(),
    ok: boolean('ok').notNull(),
    /** why it failed; on a success, a note when an earlier interrupted attempt was involved */
    error: text('error'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('delivery_attempts_outbox_idx').on(t.outboxId)],
);

/** PostgreSQL NOTIFY channel: the drain notifies a stored in-app message with its user id as payload (the API's streams listen). */
export const USER_MESSAGES_CHANNEL = 'user_messages';

/** The in-app inbox: what `GET /v1/users/:id/messages` and its live stream show. */
export const userMessages = pgTable(
  'user_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** the outbox row's dedupe key: a retried delivery stores the message once */
    dedupeKey: text('dedupe_key').notNull(),
    userId: text('user_id').notNull(),
    ticketId: text('ticket_id').notNull(),
    notice: text('notice').notNull(),
    language: text('language').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** what the user may answer in the app (confirm, reject, rate): the app acts with its own service key */
    actions: jsonb('actions').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('user_messages_dedupe_idx').on(t.dedupeKey), index('user_messages_user_idx').on(t.userId, t.id)],
);

/** A user's channels and quiet hours; without a row every channel is on and there are no quiet hours. */
export const notificationPreferences = pgTable('notification_preferences', {
  userId: text('user_id').primaryKey(),
  /** channels the user wants besides in-app (which always stores the message) */
  channels: jsonb('channels').$type<DeliveryChannel[]>().notNull(),
  /** "HH:MM" local time; both set or both null; may wrap midnight (22:00–08:00) */
  quietStart: text('quiet_start'),
  quietEnd: text('quiet_end'),
  timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
  email: text('email'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type OutboxRow = typeof deliveryOutbox.$inferSelect;
export type UserMessageRow = typeof userMessages.$inferSelect;
export type PreferencesRow = typeof notificationPreferences.$inferSelect;
