// Builds the workers: the ticket worker (intake and ticket workflows, all activities) and the
// classify worker (classification alone, on its own task queue with a concurrency limit).
import { createRequire } from 'node:module';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities';
import type { Config } from '../config';
import { createFinanceClient } from '../integrations/finance';
import { createOrderSystemClient } from '../integrations/orders';
import { createSmsClient } from '../integrations/sms';
import { createUserSystemClient } from '../integrations/users';
import { createMailpitLookup, createSmtpMailer } from '../integrations/smtp';
import { createDeliveryDrain, type DeliveryDrain } from '../activities/delivery';
import type { Database } from '../schema';
import { logFormatFromEnv, maskingLogFunction, type LogFormat } from './logging';
import { classifyTaskQueue } from '../workflows/task-queues';

const require = createRequire(import.meta.url);

export interface TicketWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** encrypts payloads (config/temporal.ts payloadDataConverter) */
  dataConverter: DataConverter;
  /** a pre-built bundle (tests build it once); otherwise the workflows are bundled at start */
  workflowBundlePath?: string;
  /** worker versioning: this build's deployment version (unset: an unversioned worker) */
  deployment?: WorkerDeployment;
}

export interface WorkerDeployment {
  name: string;
  buildId: string;
}

/**
 * A versioned worker only takes tasks of its deployment version. Workflows are PINNED: a ticket runs to its end on the
 * build it started on, so a deploy routes new tickets to the new build while old ones drain (docs/ARCHITECTURE.md).
 */
function deploymentOptions(deployment: WorkerDeployment | undefined) {
  return deployment
    ? { workerDeploymentOptions: { useWorkerVersioning: true as const, version: { deploymentName: deployment.name, buildId: deployment.buildId }, defaultVersioningBehavior: 'PINNED' as const } }
    : {};
}

export function createTicketWorker(opts: TicketWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    dataConverter: opts.dataConverter,
    ...(opts.workflowBundlePath ? { workflowBundle: { codePath: opts.workflowBundlePath } } : { workflowsPath: require.resolve('../workflows') }),
    ...deploymentOptions(opts.deployment),
    shutdownGraceTime: '10 seconds',
  });
}

export interface ClassifyWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** the ticket task queue; the classify worker polls its `-classify` sibling */
  taskQueue: string;
  activities: Pick<Activities, 'classifyIntake'>;
  /** the same payload codec as the ticket worker: the intake's request is encrypted */
  dataConverter: DataConverter;
  /** classifications at once in this process (CPU-bound: about one per core) */
  maxConcurrent: number;
  /** the same deployment version as the ticket workers of this build: a pinned intake's classification stays on its build */
  deployment?: WorkerDeployment;
}

/** Classification on its own task queue: CPU-heavy intake work waits here instead of delaying workflow tasks. */
export function createClassifyWorker(opts: ClassifyWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: classifyTaskQueue(opts.taskQueue),
    activities: { classifyIntake: opts.activities.classifyIntake },
    dataConverter: opts.dataConverter,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrent,
    ...deploymentOptions(opts.deployment),
    shutdownGraceTime: '10 seconds',
  });
}

/** Activities wired to the external systems named in the configuration; `temporal` starts the pagers. */
export function activitiesFromConfig(config: Config, db: Database, temporal: Client): Activities {
  const { orderApiUrl, financeApiUrl, smsApiUrl, userApiUrl } = config;
  if (!orderApiUrl || !financeApiUrl || !smsApiUrl || !userApiUrl) {
    throw new Error('ORDER_API_URL, FINANCE_API_URL, SMS_API_URL and USER_API_URL must be set (npm start sets them to the sandbox)');
  }
  return createActivities({
    db,
    orders: createOrderSystemClient(orderApiUrl),
    finance: createFinanceClient(financeApiUrl),
    sms: createSmsClient(smsApiUrl),
    users: createUserSystemClient(userApiUrl),
    sopPolicyOverrides: config.sopPolicyOverrides,
    onCallPhones: config.onCallPhones,
    pager: { client: temporal, taskQueue: config.temporal.taskQueue, windowMs: config.pagerWindowMs },
  });
}

/** The outbox drain of this process (docs/ARCHITECTURE.md, "Delivery"): runs beside the ticket worker. */
export function deliveryDrainFromConfig(config: Config, db: Database): DeliveryDrain {
  const { smsApiUrl, userApiUrl } = config;
  if (!smsApiUrl || !userApiUrl) throw new Error('SMS_API_URL and USER_API_URL must be set for delivery');
  return createDeliveryDrain({
    db,
    sms: createSmsClient(smsApiUrl),
    users: createUserSystemClient(userApiUrl),
    mailer: config.delivery.smtpUrl ? createSmtpMailer(config.delivery.smtpUrl) : null,
    mailLookup: config.delivery.mailLookupUrl ? createMailpitLookup(config.delivery.mailLookupUrl) : null,
    userTokenSecret: config.credentials.userTokenSecret,
    sopPolicyOverrides: config.sopPolicyOverrides,
    options: config.delivery,
    log: (message) => console.warn(message),
  });
}

let runtimeInstalled = false;

/** `npm run worker` serves the SDK's metrics here unless WORKER_METRICS_ADDRESS says otherwise (or "off") */
export const DEFAULT_WORKER_METRICS_ADDRESS = '127.0.0.1:9464';

/**
 * The SDK logs every worker state change at INFO; WARN keeps a terminal readable. Once per process. JSON lines
 * (or `LOG_FORMAT=pretty` text) with personal data masked, written to stderr or `opts.write` (worker/logging.ts).
 * With `metricsAddress` (host:port) the SDK serves its Prometheus metrics at http://<address>/metrics: task slots
 * available and used, workflow and activity failures, poll and schedule-to-start latencies (docs/ARCHITECTURE.md).
 * Returns whether they are served: a taken port (another worker on this machine) is warned about, not fatal.
 */
export function installRuntimeLogging(
  level: LogLevel = (process.env.LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? 'WARN',
  opts: { metricsAddress?: string; format?: LogFormat; write?: (line: string) => void } = {},
): boolean {
  if (runtimeInstalled) return false;
  const logger = new DefaultLogger(level, maskingLogFunction(opts.write, opts.format ?? logFormatFromEnv()));
  try {
    Runtime.install({
      logger,
      ...(opts.metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: opts.metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } } : {}),
    });
  } catch (err) {
    if (!opts.metricsAddress) throw err;
    // a taken port (another worker on this machine) costs the metrics, never the worker
    console.warn(`worker metrics not served on ${opts.metricsAddress}: ${(err as Error).message}`);
    Runtime.install({ logger });
    runtimeInstalled = true;
    return false;
  }
  runtimeInstalled = true;
  return !!opts.metricsAddress;
}
