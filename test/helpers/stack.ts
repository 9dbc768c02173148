// A complete system per test file: its own task queue on the shared dev server, its own sandbox
// external systems, the shared test database, a worker and the API app (driven with inject()).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { buildApp } from '../../api/app';
import { loadConfig, type Config } from '../../config';
import { payloadDataConverter } from '../../config/temporal';
import { createFinanceClient } from '../../integrations/finance';
import { createOrderSystemClient } from '../../integrations/orders';
import { startDispatcher } from '../../dispatch/dispatcher';
import { startSandbox } from '../../sandbox';
import { openDatabase } from '../../schema';
import { copyDatabase } from '../../scripts/postgres';
import { activitiesFromConfig, createClassifyWorker, createTicketWorker, deliveryDrainFromConfig, installRuntimeLogging } from '../../worker';
import type { DeliveryDrain } from '../../activities/delivery';
import { setTestSecrets, testCredentials } from './credentials';
import { startTcpProxy, viaProxy, type TcpProxy } from './tcp-proxy';

export interface StackOptions {
  /** SOP policy overrides, e.g. { confirmationTimeout: 5000 } */
  policy?: Record<string, number | string | boolean>;
  /** false: no worker in this process (the test runs its own, e.g. as a child process) */
  worker?: boolean;
  intakeWaitMs?: number;
  /** on-call pages are batched per window (default here: 100 ms) */
  pagerWindowMs?: number;
  /** rate limits (default here: out of the way of the other tests) */
  rateLimit?: Partial<Config['rateLimit']>;
  /** another Temporal server than the one `npm test` started */
  temporalAddress?: string;
  /** API and worker reach PostgreSQL through a TCP proxy the test can cut (`stack.databaseProxy`) */
  databaseProxy?: boolean;
  /** the API's bound on intakes in flight */
  intakeMaxInFlight?: number;
  /** run automatic dispatch every this many ms (default: off, tests pull or call dispatchOnce) */
  dispatchEveryMs?: number;
  /** true: drain the delivery outbox in this process (with the worker), delivery options overridable */
  delivery?: boolean | Partial<Config['delivery']>;
}

export async function startTestStack(opts: StackOptions = {}) {
  installRuntimeLogging('ERROR');
  const config: Config = loadConfig();
  config.temporal.taskQueue = `test-${randomUUID()}`;
  if (opts.temporalAddress) config.temporal.address = opts.temporalAddress;
  config.sopPolicyOverrides = { confirmationTimeout: 5_000, reopenWindow: 0, ...opts.policy };
  if (opts.intakeWaitMs) config.api.intakeWaitMs = opts.intakeWaitMs;
  setTestSecrets(config);
  config.pagerWindowMs = opts.pagerWindowMs ?? 100;
  config.rateLimit = { ...config.rateLimit, ipMax: 1_000_000, credentialMax: 1_000_000, ...opts.rateLimit };
  if (opts.intakeMaxInFlight) config.api.intakeMaxInFlight = opts.intakeMaxInFlight;
  if (!config.databaseUrl) throw new Error('tests run through `npm test`, which provides DATABASE_URL and TEMPORAL_ADDRESS');
  // a database of its own per test file (a copy of the migrated, seeded template): files may publish SOPs freely
  const ownDatabase = await copyDatabase(config.databaseUrl);
  config.databaseUrl = ownDatabase.url;

  const sandboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketflow-sandbox-'));
  const sandbox = await startSandbox({ port: 0, dataDir: sandboxDir });
  config.orderApiUrl = sandbox.orderApiUrl;
  config.financeApiUrl = sandbox.financeApiUrl;
  config.smsApiUrl = sandbox.smsApiUrl;
  config.userApiUrl = sandbox.userApiUrl;

  let databaseProxy: TcpProxy | null = null;
  if (opts.databaseProxy) {
    const target = new URL(config.databaseUrl);
    databaseProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  }
  const database = await openDatabase({ databaseUrl: databaseProxy ? viaProxy(config.databaseUrl, databaseProxy) : config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
  const connection = await Connection.connect({ address: config.temporal.address });
  const dataConverter = payloadDataConverter(config);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
  const orders = createOrderSystemClient(sandbox.orderApiUrl);
  const finance = createFinanceClient(sandbox.financeApiUrl);

  let workers: Worker[] = [];
  let workerRun: Promise<unknown> | null = null;
  let nativeConnection: NativeConnection | null = null;
  if (opts.worker !== false) {
    nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    const activities = activitiesFromConfig(config, database.db, client);
    workers = [
      await createTicketWorker({
        connection: nativeConnection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
        activities,
        dataConverter,
      }),
      // as `npm start` wires it: classification on its own task queue in the same process
      await createClassifyWorker({ connection: nativeConnection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, activities, dataConverter, maxConcurrent: config.worker.classifyConcurrency }),
    ];
    workerRun = Promise.all(workers.map((w) => w.run()));
  }
  // the outbox drain: fast polls and short backoff in tests; e-mail to the Mailpit `npm test` started
  config.delivery = { ...config.delivery, pollMs: 50, backoffBaseMs: 100, backoffMaxMs: 1_000, smtpUrl: process.env.SMTP_URL, mailLookupUrl: process.env.MAILPIT_URL, ...(typeof opts.delivery === 'object' ? opts.delivery : {}) };
  let drain: DeliveryDrain | null = null;
  if (opts.delivery) {
    drain = deliveryDrainFromConfig(config, database.db);
    drain.start();
  }

  const dispatcher = opts.dispatchEveryMs ? startDispatcher(client, database.db, { everyMs: opts.dispatchEveryMs }) : null;
  const app = await buildApp({ temporal: { client, connection }, db: database.db, ping: database.ping, listen: database.listen, config });
  const auth = await testCredentials(database.db, config);

  return {
    config,
    sandbox,
    sandboxDir,
    database,
    databaseProxy,
    db: database.db,
    client,
    connection,
    dataConverter,
    orders,
    finance,
    app,
    /** credentials to call as: auth.service (all scopes, the default), auth.admin, auth.apiKey(scopes), auth.staff(id, role) */
    auth,
    /** the outbox drain (only with `delivery`) */
    drain,
    async close() {
      await dispatcher?.stop();
      await drain?.stop();
      await app.close();
      for (const worker of workers) worker.shutdown();
      await workerRun;
      await nativeConnection?.close();
      await connection.close();
      await sandbox.close();
      databaseProxy?.restore();
      await database.close();
      await databaseProxy?.close();
      await ownDatabase.drop();
    },
  };
}

export type TestStack = Awaited<ReturnType<typeof startTestStack>>;
