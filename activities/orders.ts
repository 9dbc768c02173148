import type { OrderSystem } from '../integrations/orders';
import type { Order, OrderEvidence } from '../integrations/types';
import { asActivityFailure } from './external-errors';

export function createOrderActivities(orders: OrderSystem) {
  return {
    /** null when the order system does not know the id (the SOP decides); retried while it is down. */
    async fetchOrder({ orderId }: { orderId?: string | null }): Promise<Order | null> {
      if (!orderId) return null;
      try {
        return await orders.getOrder(orderId);
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
    /** Route trajectory and sign-off photos recorded by the driver app, for claims. */
    async collectEvidence({ order }: { order: Order }): Promise<OrderEvidence & { collectedAt: string }> {
      try {
        const evidence = await orders.getEvidence(order.id);
        return { ...(evidence ?? { orderId: order.id, trajectory: [], signOffPhotos: [], signedBy: null }), collectedAt: new Date().toISOString() };
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  };
}
