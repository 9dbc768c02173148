// SMS gateway sandbox: accepts messages to Chinese mobile numbers and keeps them for inspection.
import type { FastifyInstance } from 'fastify';
import type { SmsMessage } from '../integrations/types';
import { FaultInjector, parseFaultBody } from './faults';
import { JsonFileStore } from './store';

interface SmsState {
  version: 1;
  seq: number;
  messages: SmsMessage[];
  /** Idempotency-Key → id of the message it sent (absent in files written before keys existed) */
  idempotency?: Record<string, string>;
}

/** Mainland mobile number, optionally with +86 / 86 prefix. */
export const PHONE_RE = /^(\+?86)?1[3-9]\d{9}$/;
export const MAX_SMS_LENGTH = 1000;

export class SmsSystemState {
  private readonly store: JsonFileStore<SmsState>;
  readonly state: SmsState;
  readonly faults = new FaultInjector();

  constructor(dataDir: string) {
    this.store = new JsonFileStore<SmsState>(dataDir, 'sms.json');
    this.state = this.store.load(() => ({ version: 1, seq: 0, messages: [] }));
  }

  save(): void {
    this.store.save(this.state);
  }
}

export function smsRoutes(sms: SmsSystemState) {
  return async function (app: FastifyInstance): Promise<void> {
    app.post('/messages', async (req, reply) => {
      const fault = sms.faults.take();
      if (fault === 'before') return reply.code(503).send({ error: 'service_unavailable', reason: 'injected fault (before)' });
      const b = req.body as Record<string, unknown> | null | undefined;
      if (typeof b !== 'object' || b === null || Array.isArray(b)) {
        return reply.code(400).send({ error: 'validation_failed', field: 'body', reason: 'must be a JSON object' });
      }
      if (typeof b.to !== 'string' || !PHONE_RE.test(b.to)) {
        return reply.code(400).send({ error: 'invalid_phone', field: 'to', reason: 'must be a mainland China mobile number' });
      }
      if (typeof b.text !== 'string' || b.text.trim() === '') {
        return reply.code(400).send({ error: 'validation_failed', field: 'text', reason: 'must be a non-empty string' });
      }
      if (b.text.length > MAX_SMS_LENGTH) {
        return reply.code(400).send({ error: 'validation_failed', field: 'text', reason: `must be at most ${MAX_SMS_LENGTH} characters` });
      }
      const key = req.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 255)) {
        return reply.code(400).send({ error: 'validation_failed', field: 'Idempotency-Key', reason: 'must be 1 to 255 characters' });
      }
      const index = (sms.state.idempotency ??= {});
      const earlier = key ? sms.state.messages.find((m) => m.id === index[key]) : undefined;
      if (earlier) {
        if (earlier.to !== b.to || earlier.text !== b.text) {
          return reply.code(422).send({ error: 'idempotency_key_reused', reason: 'this Idempotency-Key was already used with a different message' });
        }
        return reply.code(200).header('idempotent-replayed', 'true').send(earlier);
      }
      const msg: SmsMessage = {
        id: `SMS-${String(++sms.state.seq).padStart(6, '0')}`,
        to: b.to,
        text: b.text,
        at: new Date().toISOString(),
        ...(key ? { idempotencyKey: key } : {}),
      };
      sms.state.messages.push(msg);
      if (key) index[key] = msg.id;
      sms.save();
      if (fault === 'after') return reply.code(503).send({ error: 'service_unavailable', reason: 'injected fault (after)' });
      return reply.code(201).send(msg);
    });

    app.get('/messages', async (req) => {
      const q = req.query as Record<string, string | undefined>;
      return sms.state.messages.filter((m) => !q.to || m.to === q.to);
    });

    app.get('/_faults', async () => sms.faults.describe());
    app.post('/_faults', async (req, reply) => {
      const parsed = parseFaultBody(req.body);
      if ('field' in parsed) return reply.code(400).send({ error: 'validation_failed', ...parsed });
      sms.faults.set(parsed);
      return sms.faults.describe();
    });
    app.delete('/_faults', async () => {
      sms.faults.clear();
      return sms.faults.describe();
    });
  };
}
