// The Fastify app: thin — validate, start workflows or send updates, read the read model.
import Fastify from 'fastify';
import type { DestinationStream } from 'pino';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { authPlugin } from './auth';
import type { ApiContext } from './context';
import { errorSchema, installErrorHandler } from './errors';
import { agentRoutes } from './routes/agents';
import { alertRoutes } from './routes/alerts';
import { apiKeyRoutes } from './routes/api-keys';
import { assignmentRoutes } from './routes/assignments';
import { queueRoutes } from './routes/queues';
import { apiLoggerOptions } from './logging';
import { security } from './security';
import { shedIntakeOverload } from './intake-shedding';
import { classifyRoutes } from './routes/classify';
import { codecRoutes } from './routes/codec';
import { consoleRoutes } from './routes/console';
import { healthRoutes } from './routes/health';
import { installMetrics } from './metrics';
import { createLifecycle, type Lifecycle } from './lifecycle';
import { kbRoutes } from './routes/kb';
import { sopRoutes } from './routes/sops';
import { staffRoutes } from './routes/staff';
import { ticketActionRoutes } from './routes/ticket-actions';
import { webRoutes } from './routes/web';
import { ticketRoutes } from './routes/tickets';
import { userTokenRoutes } from './routes/user-tokens';
import { messageRoutes } from './routes/messages';
import { ratingRoutes } from './routes/ratings';
import { metricsRoutes } from './routes/metrics';

declare module 'fastify' {
  interface FastifyInstance {
    /** readiness: beginShutdown() turns /readyz to 503 before the server closes */
    lifecycle: Lifecycle;
  }
}

export async function buildApp(ctx: ApiContext, opts: { logger?: boolean; logStream?: DestinationStream } = {}) {
  const app = Fastify({
    logger: opts.logger || opts.logStream ? apiLoggerOptions(opts.logStream) : false,
    bodyLimit: ctx.config.api.bodyLimitBytes,
    // wrong types must be rejected, not coerced; report every problem at once
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  });
  installErrorHandler(app);
  const lifecycle = createLifecycle();
  app.decorate('lifecycle', lifecycle);
  await app.register(security, { config: ctx.config });
  app.addSchema(errorSchema);
  // first: its onRoute hook refuses any route registered after it without an access rule
  await app.register(authPlugin, ctx);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Ticketflow API', version: '0.1.0', description: 'Customer-service tickets as durable Temporal workflows' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key (tfk_…), staff session (tfs_…), ADMIN_TOKEN or a signed user token' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  shedIntakeOverload(app, ctx.config.api.intakeMaxInFlight);
  // before the routes: its onResponse hook times every one of them
  const metrics = installMetrics(app, ctx.db);
  await app.register(healthRoutes, { ...ctx, lifecycle, metrics });
  await app.register(ticketRoutes, ctx);
  await app.register(ticketActionRoutes, ctx);
  await app.register(sopRoutes, ctx);
  await app.register(classifyRoutes, ctx);
  await app.register(userTokenRoutes, ctx);
  await app.register(messageRoutes, ctx);
  await app.register(ratingRoutes, ctx);
  await app.register(metricsRoutes, ctx);
  await app.register(apiKeyRoutes, ctx);
  await app.register(staffRoutes, ctx);
  await app.register(queueRoutes, ctx);
  await app.register(agentRoutes, ctx);
  await app.register(assignmentRoutes, ctx);
  await app.register(kbRoutes, ctx);
  await app.register(consoleRoutes, ctx);
  await app.register(alertRoutes, ctx);
  await app.register(codecRoutes, { ...ctx, prefix: '/codec' });
  await app.register(webRoutes);
  return app;
}
