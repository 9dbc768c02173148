// The Fastify app: thin — validate, start workflows or send updates, read the read model.
import Fastify from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ApiContext } from './context';
import { installErrorHandler } from './errors';
import { shedIntakeOverload } from './intake-shedding';
import { classifyRoutes } from './routes/classify';
import { healthRoutes } from './routes/health';
import { sopRoutes } from './routes/sops';
import { ticketActionRoutes } from './routes/ticket-actions';
import { webRoutes } from './routes/web';
import { ticketRoutes } from './routes/tickets';

export async function buildApp(ctx: ApiContext, opts: { logger?: boolean } = {}) {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: ctx.config.api.bodyLimitBytes,
    // wrong types must be rejected, not coerced; report every problem at once
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  });
  installErrorHandler(app);
  app.addSchema({
    $id: 'Error',
    type: 'object',
    properties: {
      error: { type: 'string' },
      message: { type: 'string' },
      fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' } } } },
    },
  });
  await app.register(swagger, {
    openapi: { info: { title: 'Ticketflow API', version: '0.1.0', description: 'Customer-service tickets as durable Temporal workflows' } },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  shedIntakeOverload(app, ctx.config.api.intakeMaxInFlight);
  await app.register(healthRoutes, ctx);
  await app.register(ticketRoutes, ctx);
  await app.register(ticketActionRoutes, ctx);
  await app.register(sopRoutes, ctx);
  await app.register(classifyRoutes, ctx);
  await app.register(webRoutes);
  return app;
}
