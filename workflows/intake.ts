// One intake per accepted API request (workflow id "intake-<requestId>"): classify, pick each
// issue's SOP version, store the tickets, start one ticket workflow per issue. Durable from the
// moment the API got a start.
import { ParentClosePolicy, patched, proxyActivities, proxyLocalActivities, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ticketWorkflowId } from './definitions';
import { ticketWorkflow } from './ticket';
import { ticketStartAttributes } from './search-attributes';
import { classifyTaskQueue } from './task-queues';
import type { IntakeRequest, IntakeResult, PlannedTicket } from './types';

// short, idempotent and CPU- or DB-bound: local activities keep an intake to a few workflow tasks
const { classifyIntake, createTickets, resolveSops } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** On the classify task queue since `classify-task-queue`; intakes started before keep the local activity. */
function classify(request: IntakeRequest) {
  if (!patched('classify-task-queue')) return classifyIntake(request);
  const remote = proxyActivities<Activities>({
    taskQueue: classifyTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  return remote.classifyIntake(request);
}

export async function intakeWorkflow(request: IntakeRequest): Promise<IntakeResult> {
  const classification = await classify(request);
  // the user system's tier; histories recorded before the lookup carry none and keep the request's
  const userTier = classification.userTier ?? request.userTier;
  // the latest published version of each issue's SOP, fixed now: a running ticket never changes procedure
  const sops = await resolveSops({ labels: classification.issues.map((i) => `${i.category}/${i.subtype}`) });
  const planned: PlannedTicket[] = classification.issues.map((issue, index) => {
    const id = uuid4();
    const { document } = sops[index]!;
    return {
      id,
      workflowId: ticketWorkflowId(id),
      category: issue.category,
      subtype: issue.subtype,
      skillGroup: issue.skillGroup,
      priority: issue.priority,
      priorityFactors: issue.priorityFactors,
      issueText: issue.issueText,
      claim: issue.claim,
      orderId: request.orderId ?? issue.orderIds[0],
      language: classification.language,
      status: document.type === 'triage' ? 'triage' : 'open',
      sopType: document.type,
      sopVersion: document.version,
    };
  });
  await createTickets({ request, language: classification.language, userTier, tickets: planned });

  // all children in one workflow task: one round trip however many issues the message had
  await Promise.all(
    planned.map((ticket, index) => {
      const { document, policy } = sops[index]!;
      return startChild(ticketWorkflow, {
        workflowId: ticket.workflowId,
        args: [
          {
            ticket: {
              id: ticket.id,
              requestId: request.requestId,
              category: ticket.category,
              subtype: ticket.subtype,
              skillGroup: ticket.skillGroup,
              priority: ticket.priority,
              userId: request.userId,
              userTier,
              orderId: ticket.orderId ?? null,
              region: request.region ?? null,
              channel: request.channel,
              language: ticket.language,
              issueText: ticket.issueText,
              appVersion: request.appVersion ?? null,
              claim: ticket.claim,
            },
            sop: document,
            policy,
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // ids and categories only: no user text, no user id (the UI shows these to every engineer)
        staticSummary: `${ticket.category}/${ticket.subtype} · P${ticket.priority} · SOP ${document.type} v${document.version} · ${ticket.orderId ?? 'no order'}`,
        staticDetails: `request ${request.requestId} (${workflowInfo().workflowId}), tier ${userTier}, channel ${request.channel}`,
        typedSearchAttributes: ticketStartAttributes({ ...ticket, sopType: document.type, channel: request.channel, orderId: ticket.orderId ?? null, region: request.region ?? null }),
      });
    }),
  );
  return {
    requestId: request.requestId,
    language: classification.language,
    tickets: planned.map(({ id, workflowId, category, subtype, skillGroup, priority, status, sopType, sopVersion }) => ({ id, workflowId, category, subtype, skillGroup, priority, status, sopType, sopVersion })),
  };
}
