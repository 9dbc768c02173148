// Finance sandbox: idempotent refunds and coupons, request log, fault injection. State persisted to dataDir.
import { randomInt } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Coupon, CouponRequest, FinanceRequestLogEntry, PaymentCause, Refund, RefundRequest } from '../integrations/types';
import { FaultInjector, parseFaultBody } from './faults';
import type { OrderBook } from './order-system';
import { JsonFileStore } from './store';

type Kind = 'refund' | 'coupon';

interface FinanceState {
  version: 1;
  seq: { refund: number; coupon: number };
  refunds: Refund[];
  coupons: Coupon[];
  log: FinanceRequestLogEntry[];
  /** `${kind}:${idempotencyKey}` -> fingerprint of the normalized request + created resource id */
  idempotency: Record<string, { fingerprint: string; resourceId: string }>;
}

interface Outcome {
  status: number;
  body: unknown;
  outcome: FinanceRequestLogEntry['outcome'];
  resourceId?: string;
  error?: string;
  replayed?: boolean;
}

type Invalid = { field: string; reason: string };

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(b: Record<string, unknown>, field: string, optional = false, max = 200): string | undefined | Invalid {
  const v = b[field];
  if (v === undefined || v === null) return optional ? undefined : { field, reason: 'is required' };
  if (typeof v !== 'string' || v.trim() === '') return { field, reason: 'must be a non-empty string' };
  if (v.length > max) return { field, reason: `must be at most ${max} characters` };
  return v;
}

function posInt(b: Record<string, unknown>, field: string, max: number): number | Invalid {
  const v = b[field];
  if (v === undefined || v === null) return { field, reason: 'is required' };
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max) {
    return { field, reason: `must be an integer between 1 and ${max}` };
  }
  return v;
}

const CAUSES: PaymentCause[] = ['overcharge', 'cargo_claim', 'late_arrival', 'goodwill', 'apology'];

function cause(b: Record<string, unknown>): PaymentCause | undefined | Invalid {
  const v = b.cause;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !CAUSES.includes(v as PaymentCause)) return { field: 'cause', reason: `must be one of ${CAUSES.join(', ')}` };
  return v as PaymentCause;
}

function isInvalid(v: unknown): v is Invalid {
  return isObject(v) && typeof v.field === 'string' && typeof v.reason === 'string';
}

const MAX_AMOUNT = 100_000_000; // ¥1,000,000

export function validateRefund(body: unknown): RefundRequest | Invalid {
  if (!isObject(body)) return { field: 'body', reason: 'must be a JSON object' };
  const orderId = str(body, 'orderId');
  if (isInvalid(orderId)) return orderId;
  const amount = posInt(body, 'amount', MAX_AMOUNT);
  if (isInvalid(amount)) return amount;
  const reason = str(body, 'reason', false, 1000);
  if (isInvalid(reason)) return reason;
  const ticketId = str(body, 'ticketId', true);
  if (isInvalid(ticketId)) return ticketId;
  const why = cause(body);
  if (isInvalid(why)) return why;
  const req: RefundRequest = { orderId: orderId!, amount, reason: reason! };
  if (ticketId !== undefined) req.ticketId = ticketId;
  if (why !== undefined) req.cause = why;
  return req;
}

export function validateCoupon(body: unknown): CouponRequest | Invalid {
  if (!isObject(body)) return { field: 'body', reason: 'must be a JSON object' };
  const userId = str(body, 'userId');
  if (isInvalid(userId)) return userId;
  const amount = posInt(body, 'amount', MAX_AMOUNT);
  if (isInvalid(amount)) return amount;
  const reason = str(body, 'reason', false, 1000);
  if (isInvalid(reason)) return reason;
  const validDays = posInt(body, 'validDays', 366);
  if (isInvalid(validDays)) return validDays;
  const ticketId = str(body, 'ticketId', true);
  if (isInvalid(ticketId)) return ticketId;
  const orderId = str(body, 'orderId', true);
  if (isInvalid(orderId)) return orderId;
  const why = cause(body);
  if (isInvalid(why)) return why;
  const req: CouponRequest = { userId: userId!, amount, reason: reason!, validDays };
  if (ticketId !== undefined) req.ticketId = ticketId;
  if (orderId !== undefined) req.orderId = orderId;
  if (why !== undefined) req.cause = why;
  return req;
}

export class FinanceSystemState {
  private readonly store: JsonFileStore<FinanceState>;
  readonly state: FinanceState;
  readonly faults = new FaultInjector();

  constructor(dataDir: string) {
    this.store = new JsonFileStore<FinanceState>(dataDir, 'finance.json');
    this.state = this.store.load(() => ({
      version: 1,
      seq: { refund: 0, coupon: 0 },
      refunds: [],
      coupons: [],
      log: [],
      idempotency: {},
    }));
  }

  save(): void {
    this.store.save(this.state);
  }

  refundedFor(orderId: string): number {
    return this.state.refunds.filter((r) => r.orderId === orderId).reduce((s, r) => s + r.amount, 0);
  }

  private newCouponCode(): string {
    const used = new Set(this.state.coupons.map((c) => c.code));
    for (;;) {
      let code = 'CPN-';
      for (let i = 0; i < 6; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
      if (!used.has(code)) return code;
    }
  }

  process(kind: Kind, key: string | null, body: unknown, book: OrderBook): Outcome {
    if (!key) {
      return reject(400, { error: 'missing_idempotency_key', field: 'Idempotency-Key', reason: 'header is required' });
    }
    if (key.length > 255) {
      return reject(400, { error: 'validation_failed', field: 'Idempotency-Key', reason: 'must be at most 255 characters' });
    }
    const req = kind === 'refund' ? validateRefund(body) : validateCoupon(body);
    if (isInvalid(req)) return reject(400, { error: 'validation_failed', field: req.field, reason: req.reason });
    const fingerprint = JSON.stringify(req);
    const existing = this.state.idempotency[`${kind}:${key}`];
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        return reject(422, {
          error: 'idempotency_key_reused',
          reason: 'this Idempotency-Key was already used with a different request body',
        });
      }
      const resource =
        kind === 'refund'
          ? this.state.refunds.find((r) => r.id === existing.resourceId)
          : this.state.coupons.find((c) => c.id === existing.resourceId);
      return { status: 200, body: resource, outcome: 'replayed', resourceId: existing.resourceId, replayed: true };
    }
    const now = new Date();
    if (kind === 'refund') {
      const r = req as RefundRequest;
      const order = book.raw(r.orderId);
      if (!order) return reject(404, { error: 'order_not_found', field: 'orderId', reason: `unknown order ${r.orderId}` });
      const refundable = book.capturedAmount(order) - this.refundedFor(order.id);
      if (r.amount > refundable) {
        return reject(409, {
          error: 'refund_exceeds_paid',
          reason: `refund of ${r.amount} fen exceeds the ${refundable} fen still refundable on ${order.id}`,
          refundable,
        });
      }
      const id = `RF-${String(++this.state.seq.refund).padStart(6, '0')}`;
      const refund: Refund = { id, ...r, status: 'succeeded', idempotencyKey: key, createdAt: now.toISOString() };
      this.state.refunds.push(refund);
      this.state.idempotency[`refund:${key}`] = { fingerprint, resourceId: id };
      return { status: 201, body: refund, outcome: 'created', resourceId: id };
    }
    const c = req as CouponRequest;
    if (!book.hasUser(c.userId)) {
      return reject(404, { error: 'user_not_found', field: 'userId', reason: `unknown user ${c.userId}` });
    }
    const id = `CP-${String(++this.state.seq.coupon).padStart(6, '0')}`;
    const coupon: Coupon = {
      id,
      ...c,
      code: this.newCouponCode(),
      idempotencyKey: key,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + c.validDays * 86_400_000).toISOString(),
    };
    this.state.coupons.push(coupon);
    this.state.idempotency[`coupon:${key}`] = { fingerprint, resourceId: id };
    return { status: 201, body: coupon, outcome: 'created', resourceId: id };
  }
}

function reject(status: number, body: { error: string; [k: string]: unknown }): Outcome {
  return { status, body, outcome: 'rejected', error: body.error };
}

function headerKey(req: FastifyRequest): string | null {
  const v = req.headers['idempotency-key'];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() !== '' ? s.trim() : null;
}

function logFields(body: unknown): Partial<FinanceRequestLogEntry> {
  if (!isObject(body)) return {};
  const out: Partial<FinanceRequestLogEntry> = {};
  if (typeof body.orderId === 'string') out.orderId = body.orderId;
  if (typeof body.userId === 'string') out.userId = body.userId;
  if (typeof body.ticketId === 'string') out.ticketId = body.ticketId;
  if (typeof body.amount === 'number') out.amount = body.amount;
  return out;
}

export function financeRoutes(fin: FinanceSystemState, book: OrderBook) {
  const handle = (kind: Kind, path: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const key = headerKey(req);
    const entry: FinanceRequestLogEntry = {
      at: new Date().toISOString(),
      method: 'POST',
      path,
      idempotencyKey: key,
      outcome: 'rejected',
      status: 0,
      kind,
      ...logFields(req.body),
    };
    const fault = fin.faults.take();
    if (fault === 'before') {
      Object.assign(entry, { status: 503, error: 'service_unavailable', injectedFault: 'before' });
      fin.state.log.push(entry);
      fin.save();
      return reply.code(503).send({ error: 'service_unavailable', reason: 'injected fault (before)' });
    }
    const result = fin.process(kind, key, req.body, book);
    entry.outcome = result.outcome;
    entry.status = result.status;
    if (result.resourceId) entry.resourceId = result.resourceId;
    if (result.error) entry.error = result.error;
    if (fault === 'after') {
      entry.status = 503;
      entry.injectedFault = 'after';
      fin.state.log.push(entry);
      fin.save();
      return reply.code(503).send({ error: 'service_unavailable', reason: 'injected fault (after)' });
    }
    fin.state.log.push(entry);
    fin.save();
    if (result.replayed) reply.header('Idempotent-Replayed', 'true');
    return reply.code(result.status).send(result.body);
  };

  return async function (app: FastifyInstance): Promise<void> {
    // Malformed bodies never reach the handlers; still log them so every POST is visible.
    app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      const path = req.url.split('?')[0]!;
      if (req.method === 'POST' && (path.endsWith('/refunds') || path.endsWith('/coupons'))) {
        fin.state.log.push({
          at: new Date().toISOString(),
          method: 'POST',
          path,
          idempotencyKey: headerKey(req),
          outcome: 'rejected',
          status,
          kind: path.endsWith('/refunds') ? 'refund' : 'coupon',
          error: status < 500 ? 'bad_request' : 'internal_error',
        });
        fin.save();
      }
      return reply.code(status).send({ error: status < 500 ? 'bad_request' : 'internal_error', reason: err.message });
    });

    app.post('/refunds', handle('refund', '/finance/refunds'));
    app.post('/coupons', handle('coupon', '/finance/coupons'));

    // with faults of scope 'all' armed, the ledger reads answer 503 too (finance unreachable)
    const unreachable = (reply: FastifyReply) => reply.code(503).send({ error: 'service_unavailable', reason: 'injected fault (read)' });

    app.get('/refunds', async (req, reply) => {
      if (fin.faults.take('read')) return unreachable(reply);
      const q = req.query as Record<string, string | undefined>;
      return fin.state.refunds.filter(
        (r) => (!q.orderId || r.orderId === q.orderId) && (!q.ticketId || r.ticketId === q.ticketId) && (!q.cause || r.cause === q.cause),
      );
    });

    app.get('/coupons', async (req, reply) => {
      if (fin.faults.take('read')) return unreachable(reply);
      const q = req.query as Record<string, string | undefined>;
      return fin.state.coupons.filter(
        (c) =>
          (!q.userId || c.userId === q.userId) &&
          (!q.ticketId || c.ticketId === q.ticketId) &&
          (!q.orderId || c.orderId === q.orderId) &&
          (!q.cause || c.cause === q.cause),
      );
    });

    app.get('/requests', async (req) => {
      const q = req.query as Record<string, string | undefined>;
      return fin.state.log.filter(
        (e) =>
          (!q.idempotencyKey || e.idempotencyKey === q.idempotencyKey) &&
          (!q.orderId || e.orderId === q.orderId) &&
          (!q.ticketId || e.ticketId === q.ticketId),
      );
    });

    app.get('/_faults', async () => fin.faults.describe());
    app.post('/_faults', async (req, reply) => {
      const parsed = parseFaultBody(req.body);
      if ('field' in parsed) return reply.code(400).send({ error: 'validation_failed', ...parsed });
      fin.faults.set(parsed);
      return fin.faults.describe();
    });
    app.delete('/_faults', async () => {
      fin.faults.clear();
      return fin.faults.describe();
    });
  };
}
