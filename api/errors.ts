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

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).send({ error: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) });
    }
    if (err.validation) {
      const fields = err.validation.map((v) => ({
        field: fieldOf(v as never, err.validationContext),
        reason: v.keyword === 'additionalProperties' ? 'is not a known field' : (v.message ?? 'is invalid'),
      }));
      return reply.status(400).send({ error: 'validation_failed', message: fields.map((f) => `${f.field} ${f.reason}`).join('; '), fields });
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
