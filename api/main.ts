// `npm run api`: the API alone, for production (scaled horizontally behind a load balancer).
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { assertProductionCredentials } from '../config/credentials';
import { payloadDataConverter, temporalConnectionOptions } from '../config/temporal';
import { openDatabase } from '../schema';
import { buildApp } from './app';

const config = loadConfig();
// the production entry point: weak or missing credentials stop it (see docs/SECURITY.md)
assertProductionCredentials(config, ['adminToken', 'userTokenSecret']);
// production refuses to run without the payload key, before touching anything
const dataConverter = payloadDataConverter(config);
if (!config.databaseUrl) throw new Error('DATABASE_URL is required when the API runs alone (the embedded database serves one process: use npm start)');

const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
// lazy: the API starts and answers /healthz (503) even while Temporal is unreachable
const connection = Connection.lazy(temporalConnectionOptions(config));
const app = await buildApp(
  { temporal: { client: new Client({ connection, namespace: config.temporal.namespace, dataConverter }), connection }, db: database.db, ping: database.ping, listen: database.listen, config },
  { logger: true },
);
await app.listen({ host: config.api.host, port: config.api.port });

// graceful: /readyz turns 503 at once, requests are still served while the load balancer stops sending
// (SHUTDOWN_DELAY_MS), then the server stops taking connections and drains the ones in flight
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    app.lifecycle.beginShutdown();
    await new Promise((resolve) => setTimeout(resolve, config.api.shutdownDelayMs));
    await app.close();
    await connection.close();
    await database.close();
  });
}
