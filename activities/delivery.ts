// The delivery drain: a loop in each ticket-worker process that claims due outbox rows
// (FOR UPDATE SKIP LOCKED, so several processes share the work), renders them and sends each on its
// channel. Failures retry with exponential backoff until the notice is older than maxAge; every
// attempt is logged. A retry never sends twice: the in-app message is keyed by the dedupe key, the
// SMS gateway replays a known Idempotency-Key, and e-mail carries the key as its Message-ID. Before a message
// is handed to SMS or SMTP the row records `sending_since`; a drain that finds it set on a row it claims knows
// the previous attempt died between the hand-over and its record, and asks the relay (when it can be asked)
// whether that e-mail already arrived instead of sending it again (docs/ARCHITECTURE.md, "residual risk").
import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { quietUntil } from '../domain/quiet-hours';
import type { SmsGateway } from '../integrations/sms';
import type { MailLookup, Mailer } from '../integrations/smtp';
import type { UserSystem } from '../integrations/users';
import { deliveryAttempts, deliveryOutbox, notificationPreferences, tickets, USER_MESSAGES_CHANNEL, userMessages, type Database, type OutboxRow, type PreferencesRow } from '../schema';
import { createNoticeContent, type RenderedNotice, type TicketForNotice } from './delivery-content';
import { cachedEstimates } from './estimates';
import type { Config } from '../config';

/** The drain's settings: the configuration's delivery section (docs in config/index.ts) and two tuning knobs. */
export type DeliveryOptions = Omit<Config['delivery'], 'drain' | 'smtpUrl' | 'mailLookupUrl' | 'streamPollMs'> & {
  batchSize?: number;
  /** how long a claimed row stays with its drain before another may take it */
  claimMs?: number;
};

export interface DeliveryDeps {
  db: Database;
  sms: SmsGateway;
  /** null: no mail relay configured, e-mail rows are skipped */
  mailer: Mailer | null;
  /** asks the relay whether it accepted a Message-ID (Mailpit's API); without it a recovered attempt re-sends with the same Message-ID */
  mailLookup?: MailLookup | null;
  /** the drain's clock (tests fix it to check quiet hours and backoff without waiting); default: the wall clock */
  clock?: () => Date;
  users: UserSystem;
  userTokenSecret?: string;
  sopPolicyOverrides: Record<string, number | string | boolean>;
  options: DeliveryOptions;
  log?: (message: string) => void;
}

/** A failure no retry heals (no address, a refused number): the row is marked failed at once. */
class PermanentFailure extends Error {}
/** Nothing to send (channel turned off, no address): the row is marked skipped. */
class Skip extends Error {}

export const backoffMs = (attempt: number, baseMs: number, maxMs: number) => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));

/** Safety tickets are urgent: their notices ignore quiet hours. */
export const isUrgent = (ticket: Pick<TicketForNotice, 'category' | 'sopType'>) => ticket.category === 'safety_incident' || ticket.sopType === 'safety_incident';

const SMS_PREFIX = '【Ticketflow】';
/** the gateway's limit (sandbox MAX_SMS_LENGTH): a long body is shortened, the link always fits */
export const SMS_MAX_LENGTH = 1000;

export function smsText(content: Pick<RenderedNotice, 'title' | 'body' | 'link'>): string {
  const head = `${SMS_PREFIX}${content.title}:`;
  const tail = content.link ? ` ${content.link}` : '';
  const room = SMS_MAX_LENGTH - head.length - tail.length;
  const body = content.body.length <= room ? content.body : `${content.body.slice(0, Math.max(0, room - 1))}…`;
  return `${head}${body}${tail}`;
}

/** The e-mail's Message-ID (without angle brackets): derived from the dedupe key, so every attempt carries the same one. */
export const messageIdOf = (dedupeKey: string) => `${dedupeKey.replace(/[^A-Za-z0-9._-]/g, '.')}@ticketflow`;

export function createDeliveryDrain(deps: DeliveryDeps) {
  const { db, options } = deps;
  const clock = deps.clock ?? (() => new Date());
  const batchSize = options.batchSize ?? 20;
  const claimMs = options.claimMs ?? 60_000;
  const render = createNoticeContent({ db, userTokenSecret: deps.userTokenSecret, publicUrl: options.publicUrl, sopPolicyOverrides: deps.sopPolicyOverrides, reviewThreshold: options.reviewThreshold, estimate: cachedEstimates(db, options.defaultEstimateMs) });

  /** Takes up to batchSize due rows for this drain (others skip them while the claim lasts). */
  async function claim(now: Date): Promise<OutboxRow[]> {
    return db.transaction(async (tx) => {
      const due = await tx
        .select({ id: deliveryOutbox.id })
        .from(deliveryOutbox)
        .where(and(eq(deliveryOutbox.status, 'pending'), lte(deliveryOutbox.nextAttemptAt, now), or(isNull(deliveryOutbox.lockedUntil), lte(deliveryOutbox.lockedUntil, now))))
        .orderBy(deliveryOutbox.nextAttemptAt, deliveryOutbox.id)
        .limit(batchSize)
        .for('update', { skipLocked: true });
      if (!due.length) return [];
      return tx
        .update(deliveryOutbox)
        .set({ lockedUntil: new Date(now.getTime() + claimMs) })
        .where(sql`${deliveryOutbox.id} in (${sql.join(due.map((d) => sql`${d.id}`), sql`, `)})`)
        .returning();
    });
  }

  async function preferencesOf(userId: string): Promise<PreferencesRow | undefined> {
    return (await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId)))[0];
  }

  async function send(row: OutboxRow, ticket: TicketForNotice, content: RenderedNotice, prefs: PreferencesRow | undefined): Promise<void> {
    switch (row.channel) {
      case 'in_app':
        // the notification leaves with the commit: open streams of this user read the message at once
        await db.transaction(async (tx) => {
          const stored = await tx
            .insert(userMessages)
            .values({ dedupeKey: row.dedupeKey, userId: ticket.userId, ticketId: ticket.id, notice: row.notice, language: content.language, title: content.title, body: content.body, actions: content.actions })
            .onConflictDoNothing()
            .returning({ id: userMessages.id });
          if (stored.length) await tx.execute(sql`select pg_notify(${USER_MESSAGES_CHANNEL}, ${ticket.userId})`);
        });
        return;
      case 'sms': {
        const phone = (await deps.users.getUser(ticket.userId))?.phone;
        if (!phone) throw new Skip('the user system has no phone number for this user');
        const text = smsText(content);
        await markSending(row);
        try {
          await deps.sms.send(phone, text, row.dedupeKey);
        } catch (err) {
          if ((err as { retryable?: boolean }).retryable === false) throw new PermanentFailure(`SMS refused: ${(err as Error).message}`);
          throw err;
        }
        return;
      }
      case 'email': {
        if (!deps.mailer) throw new Skip('no mail relay configured (SMTP_URL)');
        const to = prefs?.email ?? (await deps.users.getUser(ticket.userId))?.email;
        if (!to) throw new Skip('no e-mail address for this user');
        const text = `${content.body}${content.link ? `\n\n${content.language === 'zh' ? '点击处理' : 'Answer here'}: ${content.link}` : ''}\n\n— Ticketflow ${ticket.id}`;
        await markSending(row);
        await deps.mailer.send({ from: options.mailFrom, to, subject: content.title, text, messageId: messageIdOf(row.dedupeKey) });
        return;
      }
    }
  }

  /** Committed before the hand-over: if this drain dies before finish(), the next one knows the outcome is unknown. */
  async function markSending(row: OutboxRow): Promise<void> {
    await db.update(deliveryOutbox).set({ sendingSince: clock() }).where(eq(deliveryOutbox.id, row.id));
  }

  /**
   * A row whose previous e-mail attempt was interrupted after the hand-over: true when the relay confirms it holds
   * that Message-ID (nothing is sent again). Unknowable without a lookup: then the e-mail goes again with the same
   * Message-ID, which mail clients collapse.
   */
  async function alreadyMailed(row: OutboxRow): Promise<boolean> {
    if (row.channel !== 'email' || !row.sendingSince || !deps.mailLookup) return false;
    return deps.mailLookup.accepted(messageIdOf(row.dedupeKey));
  }

  async function finish(row: OutboxRow, set: Partial<typeof deliveryOutbox.$inferInsert>, attempt?: { ok: boolean; error?: string }) {
    await db.transaction(async (tx) => {
      // the hand-over marker stays while the row is pending: a failed send (a timeout after DATA) may still have arrived
      const final = set.status !== undefined && set.status !== 'pending';
      await tx.update(deliveryOutbox).set({ lockedUntil: null, ...(final ? { sendingSince: null } : {}), ...set }).where(eq(deliveryOutbox.id, row.id));
      if (attempt) await tx.insert(deliveryAttempts).values({ outboxId: row.id, channel: row.channel, attempt: set.attempts ?? row.attempts, ok: attempt.ok, error: attempt.error ?? null });
    });
  }

  async function deliver(row: OutboxRow, now: Date): Promise<void> {
    const [ticket] = await db
      .select({ id: tickets.id, userId: tickets.userId, language: tickets.language, category: tickets.category, subtype: tickets.subtype, sopType: tickets.sopType, sopVersion: tickets.sopVersion, skillGroup: tickets.skillGroup })
      .from(tickets)
      .where(eq(tickets.id, row.ticketId));
    if (!ticket) return finish(row, { status: 'failed', lastError: 'ticket not found' });
    const prefs = await preferencesOf(ticket.userId);
    if (row.channel !== 'in_app' && prefs && !prefs.channels.includes(row.channel)) return finish(row, { status: 'skipped', lastError: `the user turned ${row.channel} off` });
    if (row.channel !== 'in_app' && prefs?.quietStart && prefs.quietEnd && !isUrgent(ticket)) {
      const until = quietUntil({ start: prefs.quietStart, end: prefs.quietEnd, timeZone: prefs.timeZone }, now);
      if (until) return finish(row, { nextAttemptAt: until, lastError: `quiet hours until ${until.toISOString()}` });
    }
    const attempts = row.attempts + 1;
    try {
      if (await alreadyMailed(row)) return finish(row, { status: 'sent', attempts, lastError: null, deliveredAt: clock() }, { ok: true, error: 'an interrupted attempt had delivered it: the relay holds its Message-ID, not sent again' });
      const content = await render(row, ticket, now);
      if (content.obsolete) return finish(row, { status: 'skipped', lastError: content.obsolete });
      await send(row, ticket, content, prefs);
      await finish(row, { status: 'sent', attempts, lastError: null, deliveredAt: clock() }, { ok: true, error: row.channel === 'email' && row.sendingSince && !deps.mailLookup ? 'an earlier attempt may have delivered it (no relay lookup): sent again with the same Message-ID' : undefined });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (err instanceof Skip) return finish(row, { status: 'skipped', lastError: error });
      const expired = now.getTime() - row.createdAt.getTime() >= options.maxAgeMs;
      const status = err instanceof PermanentFailure || expired ? 'failed' : 'pending';
      await finish(row, { status, attempts, lastError: error, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts, options.backoffBaseMs, options.backoffMaxMs)) }, { ok: false, error });
    }
  }

  /** One pass: claims due rows and delivers them (channels in parallel); returns how many it took. */
  async function drainOnce(now = clock()): Promise<number> {
    const rows = await claim(now);
    await Promise.all(rows.map((row) => deliver(row, now)));
    return rows.length;
  }

  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  return {
    drainOnce,
    /** Drains until stop(): at once while there is work, every pollMs when idle. */
    start() {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) {
          let took = 0;
          try {
            took = await drainOnce();
          } catch (err) {
            deps.log?.(`[delivery] drain failed: ${err instanceof Error ? err.message : String(err)}`);
          }
          if (!took && running) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, options.pollMs)));
        }
      })();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}

export type DeliveryDrain = ReturnType<typeof createDeliveryDrain>;
