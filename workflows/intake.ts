// One intake per accepted API request (workflow id "intake-<requestId>"): classify, store the
// tickets, start one ticket workflow per issue. Durable from the moment the API got a start.
import { ParentClosePolicy, proxyActivities, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ticketWorkflow } from './ticket';
import * as attrs from './search-attributes';
import type { IntakeRequest, IntakeResult, PlannedTicket } from './types';

const { classifyIntake, createTickets, currentFeePolicy } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function intakeWorkflow(request: IntakeRequest): Promise<IntakeResult> {
  const classification = await classifyIntake(request);
  // the worker's policy at intake time travels with the ticket: a running ticket never changes rules
  const policy = await currentFeePolicy();
  const planned: PlannedTicket[] = classification.issues.map((issue) => {
    const id = uuid4();
    const sopType = issue.category === 'fee_dispute' ? 'fee_dispute' : 'triage';
    return {
      id,
      category: issue.category,
      subtype: issue.subtype,
      skillGroup: issue.skillGroup,
      priority: issue.priority,
      priorityFactors: issue.priorityFactors,
      issueText: issue.issueText,
      claim: issue.claim,
      workflowId: `ticket-${id}`,
      orderId: request.orderId ?? issue.orderIds[0],
      language: classification.language,
      status: sopType === 'fee_dispute' ? 'open' : 'triage',
      sopType,
      sopVersion: 1,
    };
  });
  await createTickets({ request, language: classification.language, tickets: planned });

  for (const ticket of planned) {
    await startChild(ticketWorkflow, {
      workflowId: ticket.workflowId,
      args: [{ ticket: { ...ticket, requestId: request.requestId, userId: request.userId, userTier: request.userTier, channel: request.channel, region: request.region }, policy }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `${ticket.category}/${ticket.subtype} · P${ticket.priority} · ${ticket.orderId ?? 'no order'} · ${ticket.issueText.slice(0, 60)}`,
      staticDetails: `request ${request.requestId} (${workflowInfo().workflowId}), user ${request.userId} (${request.userTier}), channel ${request.channel}`,
      typedSearchAttributes: [
        { key: attrs.TicketType, value: ticket.category },
        { key: attrs.TicketSubtype, value: ticket.subtype },
        { key: attrs.SkillGroup, value: ticket.skillGroup },
        { key: attrs.Priority, value: ticket.priority },
        { key: attrs.TicketStatus, value: ticket.status },
        { key: attrs.Channel, value: request.channel },
        ...(ticket.orderId ? [{ key: attrs.OrderId, value: ticket.orderId }] : []),
        ...(request.region ? [{ key: attrs.Region, value: request.region }] : []),
      ],
    });
  }
  return {
    requestId: request.requestId,
    language: classification.language,
    tickets: planned.map(({ id, workflowId, category, subtype, skillGroup, priority, status }) => ({ id, workflowId, category, subtype, skillGroup, priority, status })),
  };
}
