// Work distribution rules that are not storage: group policy defaults and effective priority.
import type { DispatchPolicy, SilenceAction } from '../schema/tables/dispatch';

export interface GroupPolicy {
  group: string;
  policy: DispatchPolicy;
  /** one point of effective priority per this much waiting */
  agingMs: number;
  /** no action by the holder for this long → silenceAction; null: no rule */
  silenceMs: number | null;
  silenceAction: SilenceAction | null;
}

/** A group without its own row: least-loaded dispatch, a point every 5 minutes, no silence rule. */
export const DEFAULT_GROUP_POLICY: Omit<GroupPolicy, 'group'> = { policy: 'least_loaded', agingMs: 5 * 60_000, silenceMs: null, silenceAction: null };
/** priorities are 0–100 (nlp/priority.ts); aging raises up to this, so the oldest ticket reaches the top */
export const MAX_PRIORITY = 100;
/** a claim the workflow has not confirmed after this long is sent again (a crash between claim and update) */
export const CLAIM_REPAIR_AFTER_MS = 15_000;
export const DEFAULT_MAX_CONCURRENT = 5;

/** The same formula as the queue's ORDER BY (schema/dispatch-repository.ts effectivePrioritySql). */
export function effectivePriority(priority: number, waitedMs: number, agingMs: number): number {
  return Math.min(MAX_PRIORITY, priority + Math.floor(Math.max(0, waitedMs) / agingMs));
}
