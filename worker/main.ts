// `npm run worker`: the worker alone, for production (scaled horizontally) and crash tests.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config';
import { assertProductionCredentials } from '../config/credentials';
import { payloadDataConverter, temporalConnectionOptions } from '../config/temporal';
import { openDatabase, prepareDatabase } from '../schema';
import { activitiesFromConfig, createTicketWorker, installRuntimeLogging } from './index';
import { ensureSearchAttributes } from './search-attributes';

const config = loadConfig();
// the production entry point: weak or missing credentials stop it (see docs/SECURITY.md)
assertProductionCredentials(config, ['userTokenSecret']);
// production refuses to run without the payload key, before touching anything
const dataConverter = payloadDataConverter(config);
if (!config.databaseUrl) throw new Error('DATABASE_URL is required when the worker runs alone (the embedded database serves one process: use npm start)');

const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
await prepareDatabase(database);
installRuntimeLogging();
// best effort: a hosted cluster may only allow registering search attributes in its admin console
const admin = await Connection.connect(temporalConnectionOptions(config));
await ensureSearchAttributes(admin, config.temporal.namespace).catch((err) => console.warn(`could not register search attributes: ${err.message}`));
const connection = await NativeConnection.connect(temporalConnectionOptions(config));
const worker = await createTicketWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
  // the pager workflows are started through a client on the admin connection
  activities: activitiesFromConfig(config, database.db, new Client({ connection: admin, namespace: config.temporal.namespace, dataConverter })),
  dataConverter,
});
console.log(`worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
await worker.run(); // returns after SIGINT/SIGTERM once in-flight tasks drained (the SDK installs the handlers)
await connection.close();
await admin.close();
await database.close();
