// Who may call the API: service API keys, staff accounts and their sessions, used user tokens.
// Written by the API only (never by workflows). Secrets are stored as SHA-256 hashes, passwords as argon2id.
import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One row per service integration; the secret itself is shown once at creation and never stored. */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** SHA-256 (hex) of the whole secret; unique so a lookup finds at most one key */
  secretHash: text('secret_hash').notNull().unique(),
  scopes: jsonb('scopes').$type<string[]>().notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/** Staff accounts: the id is the person's employee id (it names them in ticket events). */
export const staff = pgTable('staff', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  displayName: text('display_name'),
  role: text('role').notNull(),
  /** argon2id (PHC string) */
  passwordHash: text('password_hash').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
});

/** Opaque session tokens of logged-in staff; logout or disabling the account revokes them. */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staff.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('staff_sessions_staff_idx').on(t.staffId)],
);

/** Signed user tokens are single use: the token id (jti) is claimed here before its action runs. */
export const usedUserTokens = pgTable('used_user_tokens', {
  tokenId: text('token_id').primaryKey(),
  ticketId: text('ticket_id').notNull(),
  purpose: text('purpose').notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }).notNull().defaultNow(),
});

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type StaffRow = typeof staff.$inferSelect;
