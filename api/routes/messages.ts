// The in-app inbox of an end user: stored messages, a live stream (server-sent events) and the
// user's channel preferences and quiet hours. Messages are written by the delivery drain; the API
// only reads them (preferences are the API's own table).
import type { FastifyPluginAsync } from 'fastify';
import { and, asc, desc, eq, gt } from 'drizzle-orm';
import { DELIVERY_CHANNELS, notificationPreferences, userMessages, type DeliveryChannel, type UserMessageRow } from '../../schema';
import { HHMM } from '../../domain/quiet-hours';
import type { ApiContext } from '../context';
import { createMessageSignals } from '../message-signals';
import { HttpError } from '../errors';

const errorBody = { $ref: 'Error#' };
/** how often a stream looks for new messages of its user without LISTEN/NOTIFY (one indexed query per stream) */
const STREAM_FAST_POLL_MS = 250;
const HEARTBEAT_MS = 15_000;

const view = (m: UserMessageRow) => ({ id: m.id, ticketId: m.ticketId, notice: m.notice, language: m.language, title: m.title, body: m.body, actions: m.actions, createdAt: m.createdAt });

function validTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export const messageRoutes: FastifyPluginAsync<ApiContext> = async (app, { db, listen, config }) => {
  // one LISTEN per process, opened by the first stream, closed with the app
  const signals = createMessageSignals(listen, app.log);
  app.addHook('onClose', () => signals.close());
  const newer = (userId: string, after: number, limit: number) =>
    db.select().from(userMessages).where(and(eq(userMessages.userId, userId), gt(userMessages.id, after))).orderBy(asc(userMessages.id)).limit(limit);

  app.get<{ Params: { id: string }; Querystring: { after?: string; limit?: string } }>(
    '/v1/users/:id/messages',
    {
      schema: {
        summary: "A user's in-app messages, newest first (or those after a message id, oldest first)",
        tags: ['messages'],
        querystring: { type: 'object', additionalProperties: false, properties: { after: { type: 'string', pattern: '^\\d{1,15}$' }, limit: { type: 'string', pattern: '^([1-9]|[1-9]\\d|1\\d\\d|200)$' } } },
        response: { 400: errorBody, 401: errorBody, 403: errorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      const limit = Number(request.query.limit ?? 50);
      const rows =
        request.query.after !== undefined
          ? await newer(id, Number(request.query.after), limit)
          : await db.select().from(userMessages).where(eq(userMessages.userId, id)).orderBy(desc(userMessages.id)).limit(limit);
      return { userId: id, messages: rows.map(view) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { after?: string; maxSeconds?: string } }>(
    '/v1/users/:id/messages/stream',
    {
      schema: {
        summary: "A user's new in-app messages as server-sent events (event: message, id: the message id)",
        description: 'Resumes after Last-Event-ID (or ?after=); without either, only messages stored from now on. The stream ends after maxSeconds (default 300): reconnect with Last-Event-ID.',
        tags: ['messages'],
        querystring: { type: 'object', additionalProperties: false, properties: { after: { type: 'string', pattern: '^\\d{1,15}$' }, maxSeconds: { type: 'string', pattern: '^\\d{1,4}$' } } },
        response: { 400: errorBody, 401: errorBody, 403: errorBody },
      },
    },
    async (request, reply) => {
      const userId = request.params.id;
      const lastEventId = Number(request.headers['last-event-id']);
      let cursor = Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : request.query.after !== undefined ? Number(request.query.after) : undefined;
      if (cursor === undefined) {
        const [latest] = await db.select({ id: userMessages.id }).from(userMessages).where(eq(userMessages.userId, userId)).orderBy(desc(userMessages.id)).limit(1);
        cursor = latest?.id ?? 0;
      }
      const maxMs = Math.min(3600, Number(request.query.maxSeconds ?? 300)) * 1000;
      const pushed = await signals.ready();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      // an SSE comment (clients ignore it) saying how new messages reach this stream
      res.write(`retry: 2000\n: ${pushed ? 'push' : `poll ${STREAM_FAST_POLL_MS} ms`}\n\n`);
      let open = true;
      const ended = new Promise<void>((resolve) => {
        request.raw.on('close', () => ((open = false), resolve()));
        setTimeout(() => ((open = false), resolve()), maxMs).unref();
      });
      const waiter = signals.subscribe(userId);
      request.raw.on('close', () => waiter.close());
      let lastBeat = Date.now();
      while (open) {
        try {
          for (const m of await newer(userId, cursor, 100)) {
            res.write(`id: ${m.id}\nevent: message\ndata: ${JSON.stringify(view(m))}\n\n`);
            cursor = m.id;
          }
        } catch (err) {
          res.write(`event: error\ndata: ${JSON.stringify({ error: 'unavailable', message: 'messages cannot be read right now; the stream goes on' })}\n\n`);
          request.log.warn({ err }, 'message stream read failed');
        }
        if (Date.now() - lastBeat > HEARTBEAT_MS) {
          res.write(': keep-alive\n\n');
          lastBeat = Date.now();
        }
        if (!open || maxMs === 0) break;
        // woken by the drain's NOTIFY for this user; the timer is a safety net (or the poll, without LISTEN)
        await Promise.race([ended, waiter.wait(signals.listening ? config.delivery.streamPollMs : STREAM_FAST_POLL_MS)]);
      }
      waiter.close();
      res.end();
    },
  );

  const preferencesSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['channels'],
    properties: {
      channels: { type: 'array', uniqueItems: true, items: { type: 'string', enum: DELIVERY_CHANNELS.filter((c) => c !== 'in_app') }, description: 'channels besides in-app (always on)' },
      quietHours: {
        type: ['object', 'null'],
        additionalProperties: false,
        required: ['start', 'end'],
        properties: { start: { type: 'string', pattern: HHMM.source }, end: { type: 'string', pattern: HHMM.source }, timeZone: { type: 'string', minLength: 1, maxLength: 64 } },
      },
      email: { type: ['string', 'null'], maxLength: 254, pattern: '^[^\\s<>@]+@[^\\s<>@]+$' },
    },
  };

  const prefsView = (userId: string, row?: typeof notificationPreferences.$inferSelect) =>
    row
      ? { userId, channels: row.channels, quietHours: row.quietStart && row.quietEnd ? { start: row.quietStart, end: row.quietEnd, timeZone: row.timeZone } : null, email: row.email, updatedAt: row.updatedAt }
      : { userId, channels: DELIVERY_CHANNELS.filter((c) => c !== 'in_app'), quietHours: null, email: null, updatedAt: null };

  app.get<{ Params: { id: string } }>(
    '/v1/users/:id/preferences',
    { schema: { summary: "A user's notice channels and quiet hours (defaults: every channel, no quiet hours)", tags: ['messages'], response: { 401: errorBody, 403: errorBody } } },
    async (request) => {
      const [row] = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, request.params.id));
      return prefsView(request.params.id, row);
    },
  );

  app.put<{ Params: { id: string }; Body: { channels: DeliveryChannel[]; quietHours?: { start: string; end: string; timeZone?: string } | null; email?: string | null } }>(
    '/v1/users/:id/preferences',
    {
      schema: {
        summary: "Sets a user's notice channels and quiet hours; urgent and safety notices ignore quiet hours",
        tags: ['messages'],
        body: preferencesSchema,
        response: { 400: errorBody, 401: errorBody, 403: errorBody },
      },
    },
    async (request) => {
      const { channels, quietHours, email } = request.body;
      const timeZone = quietHours?.timeZone ?? 'Asia/Shanghai';
      if (!validTimeZone(timeZone)) throw new HttpError(400, 'validation_failed', `quietHours.timeZone: unknown time zone ${timeZone}`, [{ field: 'quietHours.timeZone', reason: 'must be an IANA time zone such as Asia/Shanghai' }]);
      const values = { channels, quietStart: quietHours?.start ?? null, quietEnd: quietHours?.end ?? null, timeZone, email: email ?? null, updatedAt: new Date() };
      const [row] = await db
        .insert(notificationPreferences)
        .values({ userId: request.params.id, ...values })
        .onConflictDoUpdate({ target: notificationPreferences.userId, set: values })
        .returning();
      return prefsView(request.params.id, row);
    },
  );
};
