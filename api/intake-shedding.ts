// Load shedding for intake: an API process takes at most `limit` intakes at once. Past that a
// request is refused at once with 503 + Retry-After instead of queueing behind the others, so the
// latency of the accepted ones stays bounded and other routes keep their share of the process.
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors';

export function shedIntakeOverload(app: FastifyInstance, limit: number): void {
  let inFlight = 0;
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST' || request.routeOptions.url !== '/v1/tickets') return;
    if (inFlight >= limit) throw new HttpError(503, 'overloaded', `this API process is already taking ${limit} intakes; retry after the time in Retry-After`);
    inFlight++;
    // 'close' comes after the response is sent and also when the client went away first
    reply.raw.once('close', () => inFlight--);
  });
}
