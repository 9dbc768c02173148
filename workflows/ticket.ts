// One workflow per ticket (id "ticket-<id>"). Today it runs the fee-dispute SOP in code and parks
// other types in triage; the SOP-engine issue turns this into an interpreter of versioned SOP data.
import { ActivityFailure, condition, proxyActivities, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Solution } from '../domain/fee-dispute';
import type { TicketStatus } from '../schema/tables';
import { confirmSolutionUpdate, ticketStateQuery } from './definitions';
import * as attrs from './search-attributes';
import type { Confirmation, TicketLiveState, TicketOutcome, TicketWorkflowInput } from './types';

const retry = { initialInterval: '1 second', maximumInterval: '1 minute' };
const internal = proxyActivities<Activities>({ startToCloseTimeout: '15 seconds', retry });
const external = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });

const FEE_GROUP = 'fee_group';

export async function ticketWorkflow({ ticket, policy }: TicketWorkflowInput): Promise<TicketOutcome> {
  const live: TicketLiveState = { status: ticket.status, step: 'start', solution: null, awaitingConfirmationUntil: null };
  let confirmation: Confirmation | null = null;
  let seq = 1;

  setHandler(ticketStateQuery, () => live);
  setHandler(
    confirmSolutionUpdate,
    (answer) => {
      confirmation = { accepted: answer.accepted, ...(answer.comment ? { comment: answer.comment } : {}) };
      return { accepted: answer.accepted, status: live.status };
    },
    {
      // must stay synchronous: an async validator is not awaited (sdk-typescript #1542)
      validator: (answer) => {
        if (live.status !== 'awaiting_confirmation' || confirmation !== null) {
          throw new Error(`ticket is ${live.status} at step ${live.step}, not awaiting a confirmation`);
        }
        if (typeof answer?.accepted !== 'boolean') throw new Error('accepted must be a boolean');
      },
    },
  );

  /** Writes one ticket event (and the status, if it changes) and mirrors it to the Temporal UI. */
  async function record(step: string, kind: string, data: Record<string, unknown> = {}, change: { status?: TicketStatus; actor?: string; resolution?: Record<string, unknown> } = {}) {
    live.step = step;
    if (change.status && change.status !== live.status) {
      live.status = change.status;
      upsertSearchAttributes([{ key: attrs.TicketStatus, value: change.status }]);
    }
    setCurrentDetails(`**${live.status}** · step \`${step}\` (${kind})${live.solution ? ` · solution: ${live.solution.kind}` : ''}`);
    await internal.recordProgress({
      ticketId: ticket.id,
      seq: seq++,
      at: new Date().toISOString(),
      step,
      kind,
      actor: change.actor ?? 'system',
      data,
      status: change.status,
      resolution: change.resolution,
    });
  }

  async function escalate(step: string, reason: string, data: Record<string, unknown> = {}): Promise<TicketOutcome> {
    upsertSearchAttributes([{ key: attrs.SkillGroup, value: FEE_GROUP }]);
    const resolution = { code: 'escalated', reason, toGroup: FEE_GROUP, level: 1, ...data };
    await record(step, 'escalated', resolution, { status: 'escalated', resolution });
    return { status: 'escalated', resolution };
  }

  async function close(resolution: Record<string, unknown>): Promise<TicketOutcome> {
    await record('close', 'entered');
    // the status turns closed with the last event, so a reader that sees "closed" sees the whole history
    await record('close', 'archived', { resolution, handledInMs: Date.now() - workflowInfo().startTime.getTime() }, { status: 'closed', resolution });
    return { status: 'closed', resolution };
  }

  if (ticket.sopType !== 'fee_dispute') {
    await record('triage', 'entered', { skillGroup: ticket.skillGroup, reason: 'awaiting its SOP: a human handles it' });
    return { status: 'triage', resolution: { code: 'triage' } };
  }

  // 1. fetch the order data (fee breakdown, payment records)
  await record('fetch_order', 'entered', { owner: 'system' }, { status: 'in_progress' });
  if (!ticket.orderId) return escalate('fetch_order', 'order_id_missing');
  const order = await external.fetchOrder(ticket.orderId);
  if (!order) return escalate('fetch_order', 'order_not_found', { orderId: ticket.orderId });
  await record('fetch_order', 'completed', { orderId: order.id, totalFen: order.total, payments: order.payments.length });

  // 2. analyse the disputed point against the system record
  await record('analyze_dispute', 'entered', { owner: 'system' });
  const analysis = await internal.analyzeFeeDispute({ order, claim: ticket.claim });
  await record('analyze_dispute', 'completed', { disputedPoint: analysis.disputedPoint, findings: analysis.findings, totalOverchargeFen: analysis.totalOverchargeFen });

  // 3. match a solution by policy
  await record('match_solution', 'entered', { owner: 'system' });
  const { solution, message } = await internal.proposeFeeSolution({ analysis, order, userTier: ticket.userTier, language: ticket.language, policy });
  live.solution = solution;
  await record('match_solution', 'completed', { solution });
  if (solution.kind === 'manual_review') {
    await record('send_solution', 'notified', { channel: 'in_app', message });
    return escalate('match_solution', 'amount_above_auto_refund_limit', { amountFen: solution.amountFen });
  }

  // 4. send it and wait for the user's confirmation, within the time limit
  await record('send_solution', 'notified', { channel: 'in_app', message, solution });
  const deadline = new Date(Date.now() + policy.confirmationTimeoutMs).toISOString();
  live.awaitingConfirmationUntil = deadline;
  await record('await_confirmation', 'entered', { owner: 'user', slaMs: policy.confirmationTimeoutMs, deadline }, { status: 'awaiting_confirmation' });
  const answered = await condition(() => confirmation !== null, policy.confirmationTimeoutMs);
  live.awaitingConfirmationUntil = null;
  if (!answered || !confirmation) {
    await record('await_confirmation', 'sla_breached', { slaMs: policy.confirmationTimeoutMs });
    return escalate('await_confirmation', 'confirmation_timeout');
  }
  const answer: Confirmation = confirmation;
  await record('await_confirmation', 'signal', { ...answer }, { actor: `user:${ticket.userId}`, status: 'in_progress' });
  if (!answer.accepted) return escalate('await_confirmation', 'solution_rejected', answer.comment ? { comment: answer.comment } : {});

  // 5. carry out the solution (once: the finance system deduplicates on the ticket's key), close and archive
  await record('apply_solution', 'entered', { owner: 'system', solution });
  let applied: Record<string, unknown>;
  try {
    applied = await applySolution(solution, order.id);
  } catch (err) {
    // only non-retryable rejections get here (e.g. the refund exceeds what was paid): a person decides
    if (!(err instanceof ActivityFailure)) throw err;
    return escalate('apply_solution', 'solution_rejected_by_finance', { error: err.cause?.message ?? err.message });
  }
  await record('apply_solution', 'completed', applied);
  return close({ code: solution.kind === 'explanation' ? 'explained' : `${solution.kind}_issued`, solution, ...applied });

  async function applySolution(s: Solution, orderId: string): Promise<Record<string, unknown>> {
    const reason = `ticket ${ticket.id}: ${s.reason}`;
    if (s.kind === 'refund') {
      const refund = await external.issueRefund({ orderId, amount: s.amountFen, reason, ticketId: ticket.id }, `${ticket.id}:refund`);
      return { refundId: refund.id, amountFen: refund.amount };
    }
    if (s.kind === 'coupon') {
      const coupon = await external.issueCoupon(
        { userId: ticket.userId, amount: s.amountFen, validDays: s.validDays, reason, ticketId: ticket.id },
        `${ticket.id}:coupon`,
      );
      return { couponId: coupon.id, couponCode: coupon.code, amountFen: coupon.amount };
    }
    return {};
  }
}
