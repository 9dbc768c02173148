// `npm run worker`: the worker alone, for production (scaled horizontally) and crash tests.
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfig } from '../config';
import { temporalConnectionOptions } from '../config/temporal';
import { createFinanceClient } from '../integrations/finance';
import { createOrderSystemClient } from '../integrations/orders';
import { migrateDatabase, openDatabase } from '../schema';
import { createTicketWorker } from './index';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('DATABASE_URL is required when the worker runs alone (the embedded database serves one process: use npm start)');
if (!config.orderApiUrl || !config.financeApiUrl) throw new Error('ORDER_API_URL and FINANCE_API_URL are required when the worker runs alone');

const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
await migrateDatabase(database);
const connection = await NativeConnection.connect(temporalConnectionOptions(config));
const worker = await createTicketWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
  activities: createActivities({
    db: database.db,
    orders: createOrderSystemClient(config.orderApiUrl),
    finance: createFinanceClient(config.financeApiUrl),
    feePolicy: config.feePolicy,
  }),
});
console.log(`worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
await worker.run(); // returns after SIGINT/SIGTERM once in-flight tasks drained (the SDK installs the handlers)
await connection.close();
await database.close();
