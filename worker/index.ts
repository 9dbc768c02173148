// Builds the ticket worker: one task queue for intake and ticket workflows and all activities.
import { createRequire } from 'node:module';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../activities';

const require = createRequire(import.meta.url);

export interface TicketWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** a pre-built bundle (tests build it once); otherwise the workflows are bundled at start */
  workflowBundlePath?: string;
}

export function createTicketWorker(opts: TicketWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    ...(opts.workflowBundlePath ? { workflowBundle: { codePath: opts.workflowBundlePath } } : { workflowsPath: require.resolve('../workflows') }),
    shutdownGraceTime: '10 seconds',
  });
}
