// Liveness (/healthz: can we reach Temporal and the database?), readiness (/readyz: does this process want
// traffic?) and the Prometheus metrics (/metrics, api/metrics.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { ApiContext } from '../context';
import type { Lifecycle } from '../lifecycle';
import { withinDeadline } from '../temporal-calls';

async function check(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return `error: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export const healthRoutes: FastifyPluginAsync<ApiContext & { lifecycle: Lifecycle; metrics: Registry }> = async (app, ctx) => {
  app.get('/healthz', { schema: { summary: 'Can we reach Temporal and the database?', tags: ['operations'] } }, async (_request, reply) => {
    const [temporal, database] = await Promise.all([
      check(() => withinDeadline(ctx.temporal.connection, 2_000, () => ctx.temporal.connection.healthService.check({}))),
      check(() => ctx.ping()),
    ]);
    const ok = temporal === 'ok' && database === 'ok';
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', temporal, database });
  });

  // only this process's own state: a shared dependency being down must not take every instance out of the pool
  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Should the load balancer send traffic here? 503 from the moment shutdown begins',
        tags: ['operations'],
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } }, 503: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async (_request, reply) => (ctx.lifecycle.shuttingDown ? reply.status(503).header('connection', 'close').send({ status: 'shutting_down' }) : reply.send({ status: 'ready' })),
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics of this API process and the read model', tags: ['operations'] } }, async (_request, reply) => {
    const body = await ctx.metrics.metrics();
    return reply.header('content-type', ctx.metrics.contentType).send(body);
  });
};
