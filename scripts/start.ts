// `npm start`: the whole system in one command — Temporal dev server, sandbox external systems,
// database (PGlite unless DATABASE_URL), worker and API — and a clean stop on Ctrl-C.
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { buildApp } from '../api/app';
import { loadConfig } from '../config';
import { temporalConnectionOptions } from '../config/temporal';
import { startSandbox, type RunningSandbox } from '../sandbox';
import { openDatabase, prepareDatabase } from '../schema';
import { activitiesFromConfig, createTicketWorker, installRuntimeLogging } from '../worker';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { readDevServerConfig, startDevServer } from './dev-server';

const config = loadConfig();

const devServer = process.env.TEMPORAL_ADDRESS ? null : await startDevServer(readDevServerConfig());
if (devServer) config.temporal.address = devServer.address;

let sandbox: RunningSandbox | null = null;
if (!config.orderApiUrl || !config.financeApiUrl || !config.smsApiUrl) {
  sandbox = await startSandbox({ port: config.sandbox.port, host: config.sandbox.host, dataDir: path.join(config.dataDir, 'sandbox') });
  config.orderApiUrl ??= sandbox.orderApiUrl;
  config.financeApiUrl ??= sandbox.financeApiUrl;
  config.smsApiUrl ??= sandbox.smsApiUrl;
}

const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const { seededSops, sopSeed } = await prepareDatabase(database);
if (seededSops.length) console.log(`[database] published the default SOPs: ${seededSops.join(', ')}`);
if (sopSeed.keptEdits.length) console.warn(`[database] bundled defaults changed but kept the versions people published: ${sopSeed.keptEdits.join(', ')} (publish the new defaults by hand if wanted)`);
installRuntimeLogging();

const connection = await Connection.connect(temporalConnectionOptions(config));
const added = await ensureSearchAttributes(connection, config.temporal.namespace).catch((err) => {
  console.warn(`[temporal] could not register search attributes: ${err.message}`);
  return [];
});
if (added.length) console.log(`[temporal] registered search attributes ${added.join(', ')}`);

const workerConnection = await NativeConnection.connect(temporalConnectionOptions(config));
const worker = await createTicketWorker({
  connection: workerConnection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  activities: activitiesFromConfig(config, database.db),
});
const workerRun = worker.run();

const app = await buildApp({
  temporal: { client: new Client({ connection, namespace: config.temporal.namespace }), connection },
  db: database.db,
  ping: database.ping,
  config,
});
const apiUrl = await app.listen({ host: config.api.host, port: config.api.port });

console.log(`
Ticketflow is running (${database.kind === 'pglite' ? `embedded database in ${path.join(config.dataDir, 'pglite')}` : 'PostgreSQL'})
  API           ${apiUrl}
  API docs      ${apiUrl}/docs
  SOP designer  ${apiUrl}/designer   (admin token: ${config.apiTokens.find((t) => t.role === 'admin')!.token === 'dev-admin-token' ? 'dev-admin-token' : 'ADMIN_TOKEN'})
  Health        ${apiUrl}/healthz
  Temporal UI   ${devServer?.uiUrl ?? '(your cluster)'}${devServer?.uiUrl ? `/namespaces/${config.temporal.namespace}/workflows` : ''}
  Sandbox       ${sandbox ? `${sandbox.url}  (orders: ${sandbox.orderApiUrl}/orders, scenarios: ${sandbox.orderApiUrl}/scenarios)` : 'not started: external URLs configured'}
Try:
  curl -s ${apiUrl}/v1/tickets -H 'content-type: application/json' -H 'Idempotency-Key: demo-1' \\
    -d '{"text":"等候费多收了,我只等了25分钟","userId":"U-demo","orderId":"<an id from ${sandbox ? `${sandbox.orderApiUrl}/scenarios` : 'your order system'}>","channel":"app"}'
Ctrl-C stops everything.`);

// The Temporal runtime turns SIGINT/SIGTERM into worker.shutdown(); run() resolves once tasks drained.
await workerRun;
console.log('stopping…');
await app.close();
await workerConnection.close();
await connection.close();
await sandbox?.close();
await database.close();
await devServer?.stop();
console.log('stopped');
