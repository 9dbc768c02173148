// Creating credentials: API keys, staff accounts and sessions. Used by the routes, by `npm start`
// (a development key) and by the test stack. Secrets are returned once and stored hashed.
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { and, eq, isNull } from 'drizzle-orm';
import { apiKeys, staff, staffSessions, type Database } from '../schema';
import type { Scope, StaffRole } from './access-rules';
import { API_KEY_PREFIX, hashSecret, newId, newSecret, SESSION_PREFIX } from './secrets';

export async function createApiKey(db: Database, input: { name: string; scopes: readonly Scope[]; createdBy: string }) {
  const secret = newSecret(API_KEY_PREFIX);
  const [row] = await db
    .insert(apiKeys)
    .values({ id: newId('key_'), name: input.name, scopes: [...new Set(input.scopes)], secretHash: hashSecret(secret), createdBy: input.createdBy })
    .returning();
  return { key: publicApiKey(row!), secret };
}

export const publicApiKey = ({ secretHash: _hash, ...key }: typeof apiKeys.$inferSelect) => key;

export async function createStaff(db: Database, input: { id: string; username: string; password: string; role: StaffRole; displayName?: string; createdBy: string }) {
  const [row] = await db
    .insert(staff)
    .values({ id: input.id, username: input.username, displayName: input.displayName ?? null, role: input.role, passwordHash: await argonHash(input.password), createdBy: input.createdBy })
    .onConflictDoNothing()
    .returning();
  return row ? publicStaff(row) : null;
}

export const publicStaff = ({ passwordHash: _hash, ...person }: typeof staff.$inferSelect) => person;

/** A dummy argon2 hash, verified when the username is unknown so both failures take the same time. */
let dummyHash: Promise<string> | undefined;

/** The staff member when the password is right and the account active; null otherwise. */
export async function checkPassword(db: Database, username: string, password: string) {
  const [row] = await db.select().from(staff).where(eq(staff.username, username));
  if (!row) {
    dummyHash ??= argonHash('not-a-password');
    await argonVerify(await dummyHash, password);
    return null;
  }
  if (!(await argonVerify(row.passwordHash, password))) return null;
  return row.disabledAt ? null : publicStaff(row);
}

export async function createSession(db: Database, staffId: string, ttlMs: number) {
  const token = newSecret(SESSION_PREFIX);
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.insert(staffSessions).values({ tokenHash: hashSecret(token), staffId, expiresAt });
  return { token, expiresAt };
}

export async function revokeSessions(db: Database, where: { tokenHash: string } | { staffId: string }) {
  const condition = 'tokenHash' in where ? eq(staffSessions.tokenHash, where.tokenHash) : eq(staffSessions.staffId, where.staffId);
  await db.update(staffSessions).set({ revokedAt: new Date() }).where(and(condition, isNull(staffSessions.revokedAt)));
}
