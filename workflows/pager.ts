// One pager per on-call group (workflow id "pager-<group>", started or signalled by notifyOnCall):
// a burst of tickets becomes one SMS per window listing them all, so the pager cannot be flooded
// and no ticket goes unpaged. Ends when a window passes with nothing new; the next ticket starts it again.
import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { pageSignal } from './definitions';
import type { PagerInput } from './types';

const { sendPage } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** keeps one run's history small: a run pages at most this many windows */
const WINDOWS_PER_RUN = 100;

export async function pagerWorkflow(input: PagerInput): Promise<void> {
  const pending = new Set<string>(input.pending ?? []);
  setHandler(pageSignal, ({ ticketId }) => void pending.add(ticketId));

  for (let window = 1; window <= WINDOWS_PER_RUN; window++) {
    // collect for one window from the first ticket on; never wakes early
    await condition(() => false, input.windowMs);
    if (!pending.size) return;
    const ticketIds = [...pending];
    pending.clear();
    // same key on every retry of this window's SMS: the gateway sends it once
    await sendPage({ group: input.group, ticketIds, idempotencyKey: `${workflowInfo().workflowId}:${workflowInfo().runId}:${window}` });
  }
  return continueAsNew<typeof pagerWorkflow>({ ...input, pending: [...pending] });
}
