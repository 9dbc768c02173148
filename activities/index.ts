// All activities, built from their dependencies so tests and processes can wire real or sandbox systems.
// SOP actions (the catalogue in sops/actions.ts) are activities of the same name, built by
// createActionActivities; test/sop-actions.test.ts checks both name the same actions.
import type { Database } from '../schema';
import type { FinanceSystem } from '../integrations/finance';
import type { OrderSystem } from '../integrations/orders';
import type { SmsGateway } from '../integrations/sms';
import { feeDisputeActivities } from './fee-dispute';
import { createFinanceActivities } from './finance';
import { createHandoffActivities } from './handoffs';
import { createIntakeActivities } from './intake';
import { createOrderActivities } from './orders';
import { createSopActivities } from './sops';
import { createStoreActivities } from './store';

export interface ActivityDeps {
  db: Database;
  orders: OrderSystem;
  finance: FinanceSystem;
  sms: SmsGateway;
  /** this environment's overrides of SOP policy values (e.g. short timeouts in tests) */
  sopPolicyOverrides: Record<string, number | string | boolean>;
  onCallPhones: Record<string, string>;
}

/** The SOP actions: exactly the catalogued ones, each an activity of its catalogue name. */
export function createActionActivities(deps: Pick<ActivityDeps, 'orders' | 'finance' | 'sms' | 'onCallPhones'>) {
  return {
    ...createOrderActivities(deps.orders),
    ...createFinanceActivities(deps.finance),
    ...createHandoffActivities(deps.sms, deps.onCallPhones),
    ...feeDisputeActivities,
  };
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createStoreActivities(deps.db),
    ...createIntakeActivities(deps.db, deps.orders),
    ...createSopActivities(deps.db, deps.sopPolicyOverrides),
    ...createActionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
/** The activities an SOP action step dispatches to, by name. */
export type ActionActivities = ReturnType<typeof createActionActivities>;
