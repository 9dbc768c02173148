// `npm start`: the whole system in one command — Temporal dev server, sandbox external systems,
// database (PGlite unless DATABASE_URL), worker and API — and a clean stop on Ctrl-C.
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { buildApp } from '../api/app';
import { startDevCodecServer } from '../api/dev-codec-server';
import { loadConfig } from '../config';
import { payloadDataConverter, temporalConnectionOptions } from '../config/temporal';
import { startSandbox, type RunningSandbox } from '../sandbox';
import { openDatabase, prepareDatabase } from '../schema';
import { activitiesFromConfig, createClassifyWorker, createTicketWorker, deliveryDrainFromConfig, installRuntimeLogging } from '../worker';
import { startMailpit, type RunningMailpit } from './mailpit';
import { ensureAnomalySchedule, ensureReconcileSchedule } from '../worker/schedules';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { assertProductionCredentials } from '../config/credentials';
import { ensureDevPayloadKeys } from './dev-keys';
import { credentialsFile, ensureDevServiceKey, loadDevCredentials } from './dev-credentials';
import { readDevServerConfig, startDevServer } from './dev-server';
import { DEV_TEAM, seedDevTeam } from './dev-team';
import { startDispatcher } from '../dispatch/dispatcher';

const devKeysFile = ensureDevPayloadKeys(loadConfig().dataDir);
const config = loadConfig();
// production refuses weak credentials; development generates them once and keeps them under DATA_DIR
if (config.production) assertProductionCredentials(config, ['adminToken', 'userTokenSecret']);
const devCredentials = config.production ? null : loadDevCredentials(config);
const dataConverter = payloadDataConverter(config);
const browserHost = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host;

// the dev UI cannot send the admin credential the API's /codec asks for: in development it decodes through a
// credential-free codec server on loopback (api/dev-codec-server.ts); production keeps the admin-only route
// (started first: a taken CODEC_PORT stops the launcher before anything else runs)
const devCodec = config.production ? null : await startDevCodecServer(config, config.devCodecPort);
const uiCodecEndpoint = devCodec?.endpoint ?? `http://${browserHost}:${config.api.port}/codec`;
const devServer = process.env.TEMPORAL_ADDRESS ? null : await startDevServer({ ...readDevServerConfig(), uiCodecEndpoint });
if (devServer?.uiUrl) config.codecCorsOrigins.push(devServer.uiUrl);
if (devServer) config.temporal.address = devServer.address;

let sandbox: RunningSandbox | null = null;
if (!config.orderApiUrl || !config.financeApiUrl || !config.smsApiUrl || !config.userApiUrl) {
  sandbox = await startSandbox({ port: config.sandbox.port, host: config.sandbox.host, dataDir: path.join(config.dataDir, 'sandbox') });
  config.orderApiUrl ??= sandbox.orderApiUrl;
  config.financeApiUrl ??= sandbox.financeApiUrl;
  config.smsApiUrl ??= sandbox.smsApiUrl;
  config.userApiUrl ??= sandbox.userApiUrl;
}

// a real SMTP server with an inbox page for the e-mail notices, unless SMTP_URL names a relay
let mailpit: RunningMailpit | null = null;
if (!config.delivery.smtpUrl) {
  mailpit = await startMailpit({ smtpPort: Number(process.env.MAILPIT_SMTP_PORT ?? 1025), webPort: Number(process.env.MAILPIT_WEB_PORT ?? 8025), database: path.join(config.dataDir, 'mailpit.db') });
  config.delivery.smtpUrl = mailpit.smtpUrl;
  config.delivery.mailLookupUrl ??= mailpit.webUrl;
}

const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const { seededSops, sopSeed, kbSeed } = await prepareDatabase(database);
if (kbSeed.published.length) console.log(`[database] knowledge base: ${kbSeed.published.length} bundled article version(s) published`);
if (kbSeed.keptEdits.length) console.warn(`[database] bundled knowledge-base articles changed but kept the versions people published: ${kbSeed.keptEdits.join(', ')}`);
if (seededSops.length) console.log(`[database] published the default SOPs: ${seededSops.join(', ')}`);
if (sopSeed.keptEdits.length) console.warn(`[database] bundled defaults changed but kept the versions people published: ${sopSeed.keptEdits.join(', ')} (publish the new defaults by hand if wanted)`);
if (devCredentials) await ensureDevServiceKey(config, database.db, devCredentials);
const devTeam = config.production ? null : await seedDevTeam(database.db, config.dataDir);
if (devTeam?.created) console.log(`[database] seeded ${devTeam.created} development agents (password in ${devTeam.file})`);
// the SDK's Prometheus metrics only when asked for: several `npm start` may share a machine
const workerMetrics = config.worker.metricsAddress && config.worker.metricsAddress !== 'off' ? config.worker.metricsAddress : undefined;
const servingWorkerMetrics = installRuntimeLogging(undefined, { metricsAddress: workerMetrics });

const connection = await Connection.connect(temporalConnectionOptions(config));
const added = await ensureSearchAttributes(connection, config.temporal.namespace).catch((err) => {
  console.warn(`[temporal] could not register search attributes: ${err.message}`);
  return [];
});
if (added.length) console.log(`[temporal] registered search attributes ${added.join(', ')}`);
const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
await ensureReconcileSchedule(client, { taskQueue: config.temporal.taskQueue, every: config.worker.reconcileEvery }).catch((err) =>
  console.warn(`[temporal] could not create the reconcile schedule: ${err.message}`),
);
await ensureAnomalySchedule(client, { taskQueue: config.temporal.taskQueue, every: config.worker.anomalyEvery, params: config.anomaly }).catch((err) =>
  console.warn(`[temporal] could not create the anomaly detection schedule: ${err.message}`),
);

const workerConnection = await NativeConnection.connect(temporalConnectionOptions(config));
const activities = activitiesFromConfig(config, database.db, client);
const worker = await createTicketWorker({ connection: workerConnection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, activities, dataConverter });
// classification in the same process but on its own task queue and concurrency limit (see docs/ARCHITECTURE.md)
const classifyWorker = await createClassifyWorker({
  connection: workerConnection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  activities,
  dataConverter,
  maxConcurrent: config.worker.classifyConcurrency,
});
const workerRun = Promise.all([worker.run(), classifyWorker.run()]);
// automatic dispatch to online agents (dispatch/dispatcher.ts); several processes may run it
const dispatcher = config.dispatchEveryMs > 0 ? startDispatcher(client, database.db, { everyMs: config.dispatchEveryMs, onError: (err) => console.warn(`[dispatch] ${(err as Error).message}`) }) : null;
// notices to users: the outbox drain beside the worker
const drain = deliveryDrainFromConfig(config, database.db);
drain.start();

const app = await buildApp({
  temporal: { client, connection },
  db: database.db,
  ping: database.ping,
  listen: database.listen,
  config,
});
const apiUrl = await app.listen({ host: config.api.host, port: config.api.port });

const credentials = path.relative(process.cwd(), credentialsFile(config.dataDir)) || credentialsFile(config.dataDir);
console.log(`
Ticketflow is running (${database.kind === 'pglite' ? `embedded database in ${path.join(config.dataDir, 'pglite')}` : 'PostgreSQL'})
  API           ${apiUrl}
  API docs      ${apiUrl}/docs
  SOP designer  ${apiUrl}/designer   (publish with the admin token: adminToken in ${devCredentials ? credentials : 'ADMIN_TOKEN'})
  Console       ${apiUrl}/console   (agents: queues, take next, decide; log in as one of the agents below)
  Dashboard     ${apiUrl}/dashboard (supervisors: volume, SLA, funnel per SOP step, alerts; \`npm run demo\` fills it)
  Knowledge     ${apiUrl}/kb        (fare rules, policies, guides and past cases, zh/en)
  Health        ${apiUrl}/healthz  (readiness ${apiUrl}/readyz)
  Metrics       ${apiUrl}/metrics  (Prometheus; a key with metrics:read)${servingWorkerMetrics ? `, worker http://${workerMetrics}/metrics` : ''}
  Temporal UI   ${devServer?.uiUrl ?? '(your cluster)'}${devServer?.uiUrl ? `/namespaces/${config.temporal.namespace}/workflows` : ''}
  Payload key   ${devKeysFile ?? 'PAYLOAD_KEYS'}  (payloads are encrypted; read them with temporal … --codec-endpoint ${apiUrl}/codec --codec-auth 'Bearer <admin token>')
  Codec         ${devCodec ? `${devCodec.endpoint}  (development only, loopback, no credential: the Temporal UI decodes payloads here)` : `${apiUrl}/codec (admins only)`}
  Mail inbox    ${mailpit ? `${mailpit.webUrl}  (e-mail notices; SMTP ${mailpit.smtpUrl})` : `SMTP relay ${config.delivery.smtpUrl}`}
  SMS outbox    ${config.smsApiUrl}/messages  (SMS notices as the gateway received them)
  Sandbox       ${sandbox ? `${sandbox.url}  (orders: ${sandbox.orderApiUrl}/orders, scenarios: ${sandbox.orderApiUrl}/scenarios)` : 'not started: external URLs configured'}
  Agents        ${devTeam ? `a development team of ${DEV_TEAM.length} (usernames e1001…, s2001…; password in ${path.relative(process.cwd(), devTeam.file) || devTeam.file}); queues at ${apiUrl}/v1/queues/<group>` : 'staff accounts from POST /v1/staff'}; automatic dispatch ${config.dispatchEveryMs > 0 ? `every ${config.dispatchEveryMs} ms` : 'off'}
  Credentials   ${devCredentials ? `${credentials} (development only: serviceKey is an API key, adminToken the bootstrap admin)` : 'from the environment'}
Try:
  TOKEN=$(node -p "require('./${credentials}').serviceKey")
  curl -s ${apiUrl}/v1/tickets -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -H 'Idempotency-Key: demo-1' \\
    -d '{"text":"等候费多收了,我只等了25分钟","userId":"U-demo","orderId":"<an id from ${sandbox ? `${sandbox.orderApiUrl}/scenarios` : 'your order system'}>","channel":"app"}'
Ctrl-C stops everything.`);

// shutting down: the load balancer learns it from /readyz at once, while the worker drains
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.lifecycle.beginShutdown());
// The Temporal runtime turns SIGINT/SIGTERM into worker.shutdown(); run() resolves once tasks drained.
await workerRun;
console.log('stopping…');
await dispatcher?.stop();
await drain.stop();
await app.close();
await devCodec?.close();
await workerConnection.close();
await connection.close();
await sandbox?.close();
await database.close();
await devServer?.stop();
await mailpit?.stop();
console.log('stopped');
