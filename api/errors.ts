// One error shape for every failure: { error, message, fields? } with the HTTP status that fits.
import type { FastifyError, FastifyInstance } from 'fastify';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: Array<{ field: string; reason: string }>,
  ) {
    super(message);
  }
}

/** JSON Schema's minLength lets "   " through; blank text is as empty as "". */
export function assertNotBlank(field: string, value: string): void {
  if (!value.trim()) throw new HttpError(400, 'validation_failed', `${field} must not be blank`, [{ field, reason: 'must not be blank' }]);
}

function fieldOf(v: { instancePath: string; params: Record<string, unknown> }, context?: string): string {
  const base = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = v.params.missingProperty ?? v.params.additionalProperty;
  const name = [base, missing].filter(Boolean).join('.');
  return name || context || 'body';
}

/** Seconds a client should wait before retrying a 503 (a dependency is down) or a 429/503 from load shedding. */
export const RETRY_AFTER_SECONDS = { unavailable: 5, overloaded: 1 } as const;

// postgres.js and Node socket codes, and SQLSTATE classes 08 (connection exception) and 57P (operator intervention)
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '53300']);

/** True when the read model could not be reached (as opposed to a bad query): the request may succeed later. */
export function isDatabaseUnavailable(err: unknown): boolean {
  // drizzle wraps the driver's error in `cause`
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08') || code.startsWith('57P'))) return true;
  }
  return false;
}

/** The shape of every error answer, referenced by route schemas as `Error#`. */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' } } } },
  },
} as const;

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof HttpError) {
      if (err.statusCode === 503 || err.statusCode === 429) reply.header('Retry-After', String(err.code === 'overloaded' ? RETRY_AFTER_SECONDS.overloaded : RETRY_AFTER_SECONDS.unavailable));
      return reply.status(err.statusCode).send({ error: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) });
    }
    if (err.validation) {
      const fields = err.validation.map((v) => ({
        field: fieldOf(v as never, err.validationContext),
        reason: v.keyword === 'additionalProperties' ? 'is not a known field' : (v.message ?? 'is invalid'),
      }));
      return reply.status(400).send({ error: 'validation_failed', message: fields.map((f) => `${f.field} ${f.reason}`).join('; '), fields });
    }
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err }, 'read model unavailable');
      return reply
        .status(503)
        .header('Retry-After', String(RETRY_AFTER_SECONDS.unavailable))
        .send({ error: 'database_unavailable', message: 'the ticket database cannot be reached right now; nothing was changed, retry later' });
    }
    const status = err.statusCode ?? 500;
    if (status === 413) return reply.status(413).send({ error: 'body_too_large', message: err.message });
    if (status === 415) return reply.status(415).send({ error: 'unsupported_media_type', message: err.message });
    if (status >= 400 && status < 500) return reply.status(status).send({ error: 'bad_request', message: err.message, fields: [{ field: 'body', reason: err.message }] });
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: 'internal_error', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }));
}
