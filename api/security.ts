// Abuse protection for every route: rate limits (per IP for everyone, per credential for callers
// that send one) and security headers with a Content-Security-Policy that lets pages run only
// their own scripts. /healthz and /readyz stay out of the limits: load balancers poll them.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { Config } from '../config';
import { HttpError } from './errors';

const UNLIMITED = new Set(['/healthz', '/readyz']);

const isUnlimited = (request: FastifyRequest) => UNLIMITED.has(request.routeOptions.url ?? '');

/** The bucket of a credential: a hash of the Authorization header, never the secret itself. */
const credentialKey = (request: FastifyRequest) => {
  const header = request.headers.authorization;
  return header ? `credential:${createHash('sha256').update(header).digest('hex').slice(0, 32)}` : null;
};

function tooMany(max: number, windowMs: number, retryAfterSeconds: number, per: string): HttpError {
  return new HttpError(429, 'rate_limited', `too many requests: at most ${max} per ${windowMs / 1000} s ${per}; retry after ${retryAfterSeconds} s`);
}

/** Where a NUL character hides in a request part (PostgreSQL text cannot hold one), as a field path. */
function nulField(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  for (const [key, v] of Object.entries(value)) {
    const field = `${path}.${key}`;
    if (key.includes('\u0000')) return field;
    const found = nulField(v, field, depth + 1);
    if (found) return found;
  }
  return null;
}

export const security = fp(async (app: FastifyInstance, { config }: { config: Config }) => {
  const { windowMs, ipMax, credentialMax } = config.rateLimit;

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // mermaid writes <style> into its SVG and positions nodes with style attributes
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // the codec routes answer the Temporal UI on another origin
    crossOriginResourcePolicy: { policy: 'same-site' },
  });

  // everyone, per IP (also caps guessing with ever new tokens from one address)
  await app.register(rateLimit, {
    global: true,
    max: ipMax,
    timeWindow: windowMs,
    allowList: (request) => isUnlimited(request),
    errorResponseBuilder: (_request, context) => tooMany(context.max, windowMs, Math.ceil(context.ttl / 1000), 'from one address'),
  });

  // hostile input every route would otherwise pass to the database: NUL characters anywhere
  app.addHook('preValidation', async (request) => {
    const field = nulField(request.params, 'params') ?? nulField(request.query, 'query') ?? nulField(request.body, 'body');
    if (field) throw new HttpError(400, 'validation_failed', `${field} must not contain NUL characters`, [{ field: field.replace(/^(params|body)\./, ''), reason: 'must not contain NUL characters' }]);
  });

  // callers with a credential, per credential
  const perCredential = app.createRateLimit({ max: credentialMax, timeWindow: windowMs, keyGenerator: (request) => credentialKey(request) ?? request.ip });
  app.addHook('onRequest', async (request, reply) => {
    if (!request.headers.authorization || isUnlimited(request)) return;
    const limit = await perCredential(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    const retryAfter = Math.ceil(limit.ttl / 1000);
    reply.header('retry-after', retryAfter);
    throw tooMany(limit.max, windowMs, retryAfter, 'for one credential');
  });
});
