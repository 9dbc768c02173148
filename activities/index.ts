// All activities, built from their dependencies so tests and processes can wire real or sandbox systems.
// SOP actions (the catalogue in sops/actions.ts) are activities of the same name, built by
// createActionActivities; test/sop-actions.test.ts checks both name the same actions.
import type { Database } from '../schema';
import type { FinanceSystem } from '../integrations/finance';
import type { OrderSystem } from '../integrations/orders';
import type { SmsGateway } from '../integrations/sms';
import type { UserSystem } from '../integrations/users';
import { createFeeDisputeActivities } from './fee-dispute';
import { createFinanceActivities } from './finance';
import { createHandoffActivities, createPagerActivities, type PagerDeps } from './handoffs';
import { createIntakeActivities } from './intake';
import { createKbActivities } from './kb';
import { createOrderActivities } from './orders';
import { createReconcileActivities } from './reconcile';
import { createAnomalyActivities } from './anomaly';
import { createSopActivities } from './sops';
import { createStoreActivities } from './store';
import { createReviewActivities } from './reviews';

export interface ActivityDeps {
  db: Database;
  orders: OrderSystem;
  finance: FinanceSystem;
  sms: SmsGateway;
  users: UserSystem;
  /** this environment's overrides of SOP policy values (e.g. short timeouts in tests) */
  sopPolicyOverrides: Record<string, number | string | boolean>;
  onCallPhones: Record<string, string>;
  /** notifyOnCall batches pages through the pager workflows */
  pager: PagerDeps;
}

/** The SOP actions: exactly the catalogued ones, each an activity of its catalogue name. */
function reviewActivities(deps: ActivityDeps) {
  return createReviewActivities({ db: deps.db, client: deps.pager.client, taskQueue: deps.pager.taskQueue, resolveSopByType: createSopActivities(deps.db, deps.sopPolicyOverrides).resolveSopByType });
}

export function createActionActivities(deps: ActivityDeps) {
  return {
    reportReviewOutcome: reviewActivities(deps).reportReviewOutcome,
    ...createOrderActivities(deps.orders, deps.db),
    ...createFinanceActivities(deps),
    ...createHandoffActivities(deps.sms, deps.onCallPhones, deps.pager),
    ...createFeeDisputeActivities(deps.db, deps.finance),
    ...createKbActivities(deps.db),
  };
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createStoreActivities(deps.db, deps.sopPolicyOverrides),
    ...createReconcileActivities(deps.db, deps.sopPolicyOverrides),
    ...createAnomalyActivities({ db: deps.db, client: deps.pager.client, taskQueue: deps.pager.taskQueue, resolveSopByType: createSopActivities(deps.db, deps.sopPolicyOverrides).resolveSopByType }),
    ...createIntakeActivities(deps.db, deps.orders, deps.users),
    ...createSopActivities(deps.db, deps.sopPolicyOverrides),
    ...createPagerActivities(deps.sms, deps.onCallPhones),
    openReview: reviewActivities(deps).openReview,
    ...createActionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
/** The activities an SOP action step dispatches to, by name. */
export type ActionActivities = ReturnType<typeof createActionActivities>;
