// Reading the order system for a ticket's steps. What was read is also kept, masked, in the read model
// (order_snapshots) for the agent console: events keep only a summary of large results.
import { withoutPersonalData } from '../domain/personal-data';
import type { OrderSystem } from '../integrations/orders';
import type { Order, OrderEvidence } from '../integrations/types';
import type { Database } from '../schema';
import { saveEvidenceSnapshot, saveOrderSnapshot } from '../schema/order-snapshots';
import { asActivityFailure } from './external-errors';

export function createOrderActivities(orders: OrderSystem, db: Database) {
  /** the console's copy only: a read model that cannot be written must not hold the ticket up */
  const keep = async (save: () => Promise<void>) => {
    try {
      await save();
    } catch {
      // the next fetch of the order writes it again
    }
  };
  return {
    /** null when the order system does not know the id (the SOP decides); retried while it is down. */
    async fetchOrder({ orderId }: { orderId?: string | null }): Promise<Order | null> {
      if (!orderId) return null;
      let order: Order | null;
      try {
        order = await orders.getOrder(orderId);
      } catch (err) {
        throw asActivityFailure(err);
      }
      if (order) await keep(() => saveOrderSnapshot(db, order.id, withoutPersonalData(order) as unknown as Record<string, unknown>));
      return order;
    },
    /** Route trajectory and sign-off photos recorded by the driver app, for claims. */
    async collectEvidence({ order }: { order: Order }): Promise<OrderEvidence & { collectedAt: string }> {
      let evidence: OrderEvidence | null;
      try {
        evidence = await orders.getEvidence(order.id);
      } catch (err) {
        throw asActivityFailure(err);
      }
      const collected = { ...(evidence ?? { orderId: order.id, trajectory: [], signOffPhotos: [], signedBy: null }), collectedAt: new Date().toISOString() };
      await keep(() => saveEvidenceSnapshot(db, order.id, withoutPersonalData(collected) as unknown as Record<string, unknown>));
      return collected;
    },
  };
}
