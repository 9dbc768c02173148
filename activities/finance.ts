// Paying activities: every refund and coupon goes through `pay`, which enforces the money invariant
// (domain/money-policy): the ticket's user must own the order, the order's ledger for the cause is read
// first, only the difference up to the allowance is paid, under the key of the n-th payment.
import { ApplicationFailure } from '@temporalio/activity';
import type { Solution } from '../domain/fee-dispute';
import { allowanceFen, amountToPay, causeOfSolution, causeOfSop, isOrderOwner, KIND_OF_CAUSE, ORDER_OWNER_MISMATCH, paymentKey, type DecidedBy, type MoneyCause } from '../domain/money-policy';
import type { FinanceSystem } from '../integrations/finance';
import { ExternalSystemError } from '../integrations/http';
import type { OrderSystem } from '../integrations/orders';
import type { Coupon, Order, Refund } from '../integrations/types';
import type { Database } from '../schema';
import { getSopVersion } from '../schema/sop-repository';
import { asActivityFailure } from './external-errors';
import { lateBandsFor, policyInForce, waitingTariffFor, withLateBands } from './rates';
import type { ActionMeta } from './meta';
import { readTicketParty, type TicketParty } from './store';

/** Collisions with a concurrent payer re-read the ledger; past this many the attempt fails and Temporal retries it. */
const MAX_COLLISIONS = 5;

export interface PaymentResult {
  /** what this ticket has received for the cause in total (a retry after a lost answer reports the earlier payment) */
  amountFen: number;
  /** what this call moved: 0 when the ledger already held the allowance */
  paidNowFen: number;
  /** what the order has received for the cause, all tickets together, after this call */
  orderPaidFen: number;
  cause: MoneyCause;
  idempotencyKey: string | null;
}

interface PayRequest {
  cause: MoneyCause;
  orderId: string;
  requestedFen: number;
  by: DecidedBy;
  reason: string;
  validDays?: number;
  /** the user a coupon is asked for (must be the order's user) */
  couponUserId?: string;
}

export interface FinanceActivityDeps {
  db: Database;
  orders: OrderSystem;
  finance: FinanceSystem;
  sopPolicyOverrides: Record<string, number | string | boolean>;
}

const sum = (entries: Array<{ amount: number }>) => entries.reduce((s, e) => s + e.amount, 0);

export function createFinanceActivities(deps: FinanceActivityDeps) {
  const { db, orders, finance } = deps;

  async function partyOf(meta: ActionMeta): Promise<TicketParty> {
    const party = await readTicketParty(db, meta.ticketId);
    if (!party) throw ApplicationFailure.nonRetryable(`ticket ${meta.ticketId} is not in the read model`, 'ticket_not_found');
    return party;
  }

  /** An idempotent read of the order: the amount and the owner come from the order system, never from the input. */
  async function orderOf(orderId: string | null | undefined): Promise<Order> {
    // a ticket opened without an order (an attitude complaint, say) has nothing to pay against: a person decides
    if (!orderId) throw ApplicationFailure.nonRetryable('the ticket names no order, so nothing can be paid against it', 'order_not_found');
    let order: Order | null;
    try {
      order = await orders.getOrder(orderId);
    } catch (err) {
      throw asActivityFailure(err);
    }
    if (!order) throw ApplicationFailure.nonRetryable(`order ${orderId} does not exist`, 'order_not_found');
    return order;
  }

  async function policyOf(party: TicketParty): Promise<Record<string, unknown>> {
    const row = await getSopVersion(db, party.sopType, party.sopVersion);
    if (!row) throw ApplicationFailure.nonRetryable(`SOP ${party.sopType} v${party.sopVersion} is not published`, 'no_sop');
    // the values the ticket started with: its rate-table bindings as in force at its creation (activities/sops.ts)
    return policyInForce(db, row.document, party.createdAt, deps.sopPolicyOverrides);
  }

  /**
   * What finance has paid on this order for this cause, all tickets together. Refunds made before causes existed
   * count as overcharge refunds (never paid again); such coupons carry no order and are not seen.
   */
  async function ledger(orderId: string, cause: MoneyCause): Promise<Array<Refund | Coupon>> {
    try {
      if (KIND_OF_CAUSE[cause] === 'refund') return (await finance.listRefunds({ orderId })).filter((r) => (r.cause ?? 'overcharge') === cause);
      return await finance.listCoupons({ orderId, cause });
    } catch (err) {
      throw asActivityFailure(err);
    }
  }

  async function pay(req: PayRequest, meta: ActionMeta): Promise<PaymentResult & { entry: Refund | Coupon | null }> {
    const party = await partyOf(meta);
    const order = await orderOf(req.orderId);
    const couponForSomeoneElse = req.couponUserId !== undefined && req.couponUserId !== order.userId;
    if (!isOrderOwner(order, party.userId) || couponForSomeoneElse) {
      throw ApplicationFailure.nonRetryable(`ticket ${meta.ticketId}: the ticket's user is not the owner of order ${order.id}`, ORDER_OWNER_MISMATCH, { orderId: order.id });
    }
    // the late bands as the proposal applied them: the table in force at the booking before the SOP's copy
    const policy = req.by === 'policy' && req.cause !== 'overcharge' ? withLateBands(await policyOf(party), req.cause === 'late_arrival' ? await lateBandsFor(db, order) : null) : {};
    const tariff = req.by === 'policy' && req.cause === 'overcharge' ? await waitingTariffFor(db, order) : null;
    const allowance = allowanceFen(req.cause, order, policy, req.by, tariff);
    // a person asking for more than any decision may give learns it (a policy's solution is capped instead)
    if (req.by === 'agent' && req.requestedFen > allowance) {
      throw ApplicationFailure.nonRetryable(`${req.requestedFen} fen for ${req.cause} exceeds the ${allowance} fen order ${order.id} allows`, 'above_allowance', { allowance });
    }
    const kind = KIND_OF_CAUSE[req.cause];
    for (let collision = 0; collision < MAX_COLLISIONS; collision++) {
      const entries = await ledger(order.id, req.cause);
      const paid = sum(entries);
      const amount = amountToPay({ requestedFen: req.requestedFen, allowanceFen: allowance, paidFen: paid, by: req.by });
      const mine = entries.filter((e) => e.ticketId === meta.ticketId);
      if (amount === 0) {
        return { amountFen: sum(mine), paidNowFen: 0, orderPaidFen: paid, cause: req.cause, idempotencyKey: mine.at(-1)?.idempotencyKey ?? null, entry: mine.at(-1) ?? null };
      }
      const key = paymentKey(order.id, req.cause, entries.length + 1);
      const common = { amount, reason: req.reason, ticketId: meta.ticketId, cause: req.cause };
      try {
        const { entry, replayed } =
          kind === 'refund'
            ? await finance.issueRefund({ orderId: order.id, ...common }, key).then((r) => ({ entry: r.refund, replayed: r.replayed }))
            : await finance.issueCoupon({ userId: order.userId, orderId: order.id, validDays: req.validDays ?? 30, ...common }, key).then((r) => ({ entry: r.coupon, replayed: r.replayed }));
        // a replay answers an earlier identical call (an attempt of this very step): no money moved now
        const unseen = entries.some((e) => e.id === entry.id) ? 0 : entry.amount;
        return { amountFen: sum(mine) + unseen, paidNowFen: replayed ? 0 : entry.amount, orderPaidFen: paid + unseen, cause: req.cause, idempotencyKey: key, entry };
      } catch (err) {
        // another ticket paid under the same n-th key meanwhile: read the ledger again
        if (err instanceof ExternalSystemError && err.code === 'idempotency_key_reused') continue;
        throw asActivityFailure(err);
      }
    }
    throw ApplicationFailure.retryable(`order ${order.id}: the ${req.cause} ledger kept changing under ${MAX_COLLISIONS} concurrent payments`, 'ledger_contention');
  }

  const refundResult = ({ entry, ...r }: Awaited<ReturnType<typeof pay>>) => ({ refundId: entry?.id ?? null, ...r });
  const couponResult = ({ entry, ...r }: Awaited<ReturnType<typeof pay>>) => ({ couponId: entry?.id ?? null, couponCode: (entry as Coupon | null)?.code ?? null, ...r });

  return {
    /** A person's refund or payout: the cause follows the ticket's SOP; `amountFen` is the total for that cause. */
    async issueRefund(input: { orderId: string; amountFen: number; reason: string }, meta: ActionMeta) {
      const cause = causeOfSop((await partyOf(meta)).sopType, 'refund');
      return refundResult(await pay({ cause, orderId: input.orderId, requestedFen: input.amountFen, by: 'agent', reason: input.reason }, meta));
    },

    /** A person's coupon decision: the cause follows the ticket's SOP; `amountFen` is the total for that cause. */
    async issueCoupon(input: { userId: string; amountFen: number; reason: string; validDays?: number; orderId?: string }, meta: ActionMeta) {
      const party = await partyOf(meta);
      const orderId = input.orderId ?? party.orderId;
      if (!orderId) throw ApplicationFailure.nonRetryable(`ticket ${meta.ticketId} has no order to compensate`, 'order_not_found');
      const cause = causeOfSop(party.sopType, 'coupon');
      return couponResult(await pay({ cause, orderId, requestedFen: input.amountFen, by: 'agent', reason: input.reason, validDays: input.validDays, couponUserId: input.userId }, meta));
    },

    /** Carries out a solution proposed by a matching action: refund, coupon, or nothing for an explanation. */
    async applySolution(input: { solution: Solution; orderId: string; userId: string }, meta: ActionMeta): Promise<Record<string, unknown>> {
      const { solution } = input;
      const reason = `ticket ${meta.ticketId}: ${solution.reason}`;
      switch (solution.kind) {
        case 'refund':
        case 'coupon': {
          const cause = causeOfSolution(solution, (await partyOf(meta)).sopType)!;
          const paid = await pay({ cause, orderId: input.orderId, requestedFen: solution.amountFen, by: 'policy', reason, ...(solution.kind === 'coupon' ? { validDays: solution.validDays, couponUserId: input.userId } : {}) }, meta);
          return solution.kind === 'refund' ? refundResult(paid) : couponResult(paid);
        }
        case 'explanation':
          return {};
        default:
          throw ApplicationFailure.nonRetryable(`a ${solution.kind} solution cannot be applied automatically`, solution.reason === ORDER_OWNER_MISMATCH ? ORDER_OWNER_MISMATCH : 'solution_not_applicable');
      }
    },

    /**
     * Before escalating a failed payment step: what finance holds for the solution's cause on this order, so the SOP
     * can close a ticket whose payment did go through (its answer lost, its step timed out) instead of asking again.
     */
    async paymentStatus(input: { orderId: string; solution: Solution }, meta: ActionMeta) {
      const cause = causeOfSolution(input.solution, (await partyOf(meta)).sopType);
      if (!cause) return { cause: null, orderPaidFen: 0, ticketPaidFen: 0, covered: false };
      const entries = await ledger(input.orderId, cause);
      const asked = 'amountFen' in input.solution ? input.solution.amountFen : 0;
      const orderPaidFen = sum(entries);
      // covered: the order holds what the solution asked, whichever ticket paid it
      return { cause, orderPaidFen, ticketPaidFen: sum(entries.filter((e) => e.ticketId === meta.ticketId)), covered: asked > 0 && orderPaidFen >= asked };
    },
  };
}
