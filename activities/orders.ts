import type { OrderSystem } from '../integrations/orders';
import type { Order } from '../integrations/types';
import { asActivityFailure } from './external-errors';

export function createOrderActivities(orders: OrderSystem) {
  return {
    /** null when the order system does not know the id (the SOP escalates); retried while it is down. */
    async fetchOrder(orderId: string): Promise<Order | null> {
      try {
        return await orders.getOrder(orderId);
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  };
}

