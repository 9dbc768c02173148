// Using signed user tokens in the API: which confirmation wait a token answers, and single use
// (the token id is claimed before the action and released if the action did not happen).
import { and, desc, eq, sql } from 'drizzle-orm';
import { ticketEvents, usedUserTokens, type Database } from '../schema';
import type { Caller } from './auth';
import { HttpError } from './errors';

/** The ticket's latest confirmation wait: the seq of its `entered` event (also the update id's key) and its deadline. */
export async function latestConfirmationWait(db: Database, ticketId: string): Promise<{ seq: number; deadline?: string } | undefined> {
  const [wait] = await db
    .select({ seq: ticketEvents.seq, data: ticketEvents.data })
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.kind, 'entered'), sql`${ticketEvents.data}->>'signal' = 'confirmation'`))
    .orderBy(desc(ticketEvents.seq))
    .limit(1);
  if (!wait) return undefined;
  const deadline = (wait.data as { deadline?: unknown }).deadline;
  return { seq: wait.seq, ...(typeof deadline === 'string' ? { deadline } : {}) };
}

/**
 * Runs the action once per user token: a second use gets 409 and changes nothing. The claim is
 * released when the action fails, so a retry after a refusal or timeout may try again (the update
 * id of the action makes a retried confirmation join the first attempt).
 */
export async function onceForUserToken<T>(db: Database, caller: Caller, action: () => Promise<T>): Promise<T> {
  if (caller.kind !== 'user') return action();
  const claimed = await db.insert(usedUserTokens).values({ tokenId: caller.tokenId, ticketId: caller.ticketId, purpose: caller.purpose }).onConflictDoNothing().returning();
  if (!claimed.length) throw new HttpError(409, 'token_used', 'this user token was already used; ask for a new link');
  try {
    return await action();
  } catch (err) {
    await db.delete(usedUserTokens).where(eq(usedUserTokens.tokenId, caller.tokenId));
    throw err;
  }
}
