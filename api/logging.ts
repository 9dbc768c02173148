// The API's pino options: credentials redacted, phone numbers and e-mail addresses masked in
// messages, logged objects and request URLs (a phone number may sit in a path or a query).
import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';
import { maskForLog, maskText } from '../domain/personal-data';

export function apiLoggerOptions(stream?: DestinationStream): FastifyServerOptions['logger'] {
  const options: LoggerOptions & { stream?: DestinationStream } = {
    level: process.env.LOG_LEVEL?.toLowerCase() ?? 'info',
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'headers.authorization', 'headers.cookie'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; hostname?: string; ip?: string }) => ({ method: req.method, url: maskText(req.url), hostname: req.hostname, remoteAddress: req.ip }),
    },
    formatters: { log: (object) => maskForLog(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? maskText(a) : a)) as Parameters<typeof method>);
      },
    },
    ...(stream ? { stream } : {}),
  };
  return options as FastifyServerOptions['logger'];
}
