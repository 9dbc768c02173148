// All activities, built from their dependencies so tests and processes can wire real or sandbox systems.
import type { FeePolicy } from '../config';
import type { Database } from '../schema';
import type { FinanceSystem } from '../integrations/finance';
import type { OrderSystem } from '../integrations/orders';
import { feeDisputeActivities } from './fee-dispute';
import { createFinanceActivities } from './finance';
import { createIntakeActivities } from './intake';
import { createOrderActivities } from './orders';
import { createStoreActivities } from './store';

export interface ActivityDeps {
  db: Database;
  orders: OrderSystem;
  finance: FinanceSystem;
  feePolicy: FeePolicy;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createStoreActivities(deps.db),
    ...createIntakeActivities(deps.db),
    ...createOrderActivities(deps.orders),
    ...createFinanceActivities(deps.finance),
    ...feeDisputeActivities,
    /** the fee policy in force now; a ticket keeps the one it started with */
    async currentFeePolicy(): Promise<FeePolicy> {
      return deps.feePolicy;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
