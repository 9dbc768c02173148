import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context';
import { withinDeadline } from '../temporal-calls';

async function check(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return `error: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export const healthRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get('/healthz', { schema: { summary: 'Can we reach Temporal and the database?', tags: ['operations'] } }, async (_request, reply) => {
    const [temporal, database] = await Promise.all([
      check(() => withinDeadline(ctx.temporal.connection, 2_000, () => ctx.temporal.connection.healthService.check({}))),
      check(() => ctx.ping()),
    ]);
    const ok = temporal === 'ok' && database === 'ok';
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', temporal, database });
  });
};
