// `npm run worker`: the worker alone, for production (scaled horizontally) and crash tests.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import { assertProductionCredentials } from '../config/credentials';
import { payloadDataConverter, temporalConnectionOptions } from '../config/temporal';
import { openDatabase, prepareDatabase } from '../schema';
import { classifyTaskQueue } from '../workflows/task-queues';
import { activitiesFromConfig, createClassifyWorker, createTicketWorker, DEFAULT_WORKER_METRICS_ADDRESS, deliveryDrainFromConfig, installRuntimeLogging } from './index';
import { ensureAnomalySchedule, ensureReconcileSchedule } from './schedules';
import { startDispatcher } from '../dispatch/dispatcher';
import { ensureSearchAttributes } from './search-attributes';

const config = loadConfig();
// the production entry point: weak or missing credentials stop it (see docs/SECURITY.md)
assertProductionCredentials(config, ['userTokenSecret']);
// production refuses to run without the payload key, before touching anything
const dataConverter = payloadDataConverter(config);
if (!config.databaseUrl) throw new Error('DATABASE_URL is required when the worker runs alone (the embedded database serves one process: use npm start)');

const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
await prepareDatabase(database);
const metricsAddress = config.worker.metricsAddress ?? DEFAULT_WORKER_METRICS_ADDRESS;
const servingMetrics = installRuntimeLogging(undefined, { metricsAddress: metricsAddress === 'off' ? undefined : metricsAddress });
// best effort: a hosted cluster may only allow registering search attributes in its admin console
const admin = await Connection.connect(temporalConnectionOptions(config));
await ensureSearchAttributes(admin, config.temporal.namespace).catch((err) => console.warn(`could not register search attributes: ${err.message}`));
// one client on the admin connection: the reconcile schedule, and the pager workflows that activities start
const client = new Client({ connection: admin, namespace: config.temporal.namespace, dataConverter });
if (config.worker.roles.includes('tickets')) {
  await ensureReconcileSchedule(client, { taskQueue: config.temporal.taskQueue, every: config.worker.reconcileEvery }).catch((err) =>
    console.warn(`could not create the reconcile schedule: ${err.message}`),
  );
  await ensureAnomalySchedule(client, { taskQueue: config.temporal.taskQueue, every: config.worker.anomalyEvery, params: config.anomaly }).catch((err) =>
    console.warn(`could not create the anomaly detection schedule: ${err.message}`),
  );
}
const connection = await NativeConnection.connect(temporalConnectionOptions(config));
const activities = activitiesFromConfig(config, database.db, client);
const { roles } = config.worker;
const workers: Worker[] = [];
// WORKER_ROLES scales the two kinds apart in production: e.g. a few `tickets` processes and one `classify` per spare core
if (roles.includes('tickets')) {
  workers.push(
    await createTicketWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
      activities,
      dataConverter,
      deployment: config.worker.deployment,
    }),
  );
}
if (roles.includes('classify')) {
  workers.push(await createClassifyWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, activities, dataConverter, maxConcurrent: config.worker.classifyConcurrency, deployment: config.worker.deployment }));
}
if (config.worker.deployment) console.log(`worker deployment ${config.worker.deployment.name}, build ${config.worker.deployment.buildId} (make it current with temporal worker deployment set-current-version)`);
if (servingMetrics) console.log(`worker metrics (Prometheus) at http://${metricsAddress}/metrics`);
console.log(`worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address} as ${roles.join(' + ')}${roles.includes('classify') ? ` (classification on "${classifyTaskQueue(config.temporal.taskQueue)}", ${config.worker.classifyConcurrency} at once)` : ''}`);
// automatic dispatch (dispatch/dispatcher.ts): safe in every ticket worker at once, claims are row-locked
const dispatcher = roles.includes('tickets') && config.dispatchEveryMs > 0 ? startDispatcher(client, database.db, { everyMs: config.dispatchEveryMs, onError: (err) => console.warn(`dispatch: ${(err as Error).message}`) }) : null;
// notices to users leave through the outbox, drained beside the ticket workers
const drain = roles.includes('tickets') && config.delivery.drain ? deliveryDrainFromConfig(config, database.db) : null;
drain?.start();
// returns after SIGINT/SIGTERM once in-flight tasks drained (the SDK installs the handlers)
await Promise.all(workers.map((w) => w.run()));
await dispatcher?.stop();
await drain?.stop();
await connection.close();
await admin.close();
await database.close();
