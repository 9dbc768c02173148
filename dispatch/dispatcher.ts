// Automatic dispatch: a loop in each worker process (several may run; claims are row-locked, so they
// never give one ticket twice). Every tick: for each group whose policy dispatches, give queued tickets
// to its online agents with free capacity in the policy's order; repair claims a crash left half-done;
// apply the groups' silence rules (no action by the holder for silenceMs → remind, reassign, tell the supervisors).
import type { Client } from '@temporalio/client';
import type { Database } from '../schema';
import { dispatchCandidates, groupPolicy, groupsWaiting, markSilenceFired, silentHoldings } from '../schema/dispatch-repository';
import { holderSilentUpdate, ticketWorkflowId } from '../workflows/definitions';
import { pullNext, repairClaims } from './assign';

export interface DispatcherOptions {
  everyMs: number;
  /** unconfirmed claims older than this are sent again */
  repairAfterMs?: number;
  onError?: (err: unknown) => void;
}

/** One pass; returns how many tickets it gave out. */
export async function dispatchOnce(client: Client, db: Database, opts: { repairAfterMs?: number } = {}): Promise<number> {
  let given = 0;
  groups: for (const group of await groupsWaiting(db)) {
    const policy = await groupPolicy(db, group);
    if (policy.policy === 'pull_only') continue;
    // one ticket per agent per round, in policy order, until the group's queue or its agents run out
    for (let round = 0; round < 100; round++) {
      const agents = await dispatchCandidates(db, group, policy.policy);
      if (!agents.length) break;
      let gaveThisRound = 0;
      for (const agentId of agents) {
        const outcome = await pullNext(client, db, agentId, 'dispatcher', { group, attempts: 2 });
        if (outcome.kind === 'assigned') {
          given++;
          gaveThisRound++;
          if (policy.policy === 'least_loaded') break; // loads changed: ask again who is least loaded
        } else if (outcome.kind === 'empty') {
          continue groups; // nothing left to give in this group
        }
      }
      if (!gaveThisRound) break;
    }
  }
  await repairClaims(client, db, opts.repairAfterMs);
  await applySilenceRules(client, db);
  return given;
}

export async function applySilenceRules(client: Client, db: Database): Promise<number> {
  const silent = await silentHoldings(db);
  for (const s of silent) {
    const silentMs = Date.now() - s.lastActionAt!.getTime();
    try {
      await client.withDeadline(Date.now() + 10_000, () =>
        client.workflow.getHandle(ticketWorkflowId(s.ticketId)).executeUpdate(holderSilentUpdate, { args: [{ assignmentId: s.assignmentId!, action: s.action!, silentMs }], updateId: `silent-${s.assignmentId}` }),
      );
    } catch {
      // the holding ended meanwhile (nothing to remind), or no worker answered: the rule fires once either way
    }
    await markSilenceFired(db, s.ticketId, s.assignmentId!);
  }
  return silent.length;
}

/** Runs dispatchOnce every `everyMs` until stopped. */
export function startDispatcher(client: Client, db: Database, opts: DispatcherOptions): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = dispatchOnce(client, db, { repairAfterMs: opts.repairAfterMs })
      .catch((err) => opts.onError?.(err))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.everyMs);
      });
  };
  timer = setTimeout(tick, opts.everyMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
