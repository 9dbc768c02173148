// Sending an update to a ticket's workflow from a route, with one mapping of failures to answers:
// 404 unknown ticket, 409 wrong state (the validator's reason), 503 no worker in time or Temporal down.
import type { UpdateDefinition } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { tickets } from '../schema';
import { ticketWorkflowId } from '../workflows/definitions';
import type { ApiContext } from './context';
import { HttpError } from './errors';
import type { readModelGuard } from './read-model';
import { TimedOut, unavailable, withinDeadline } from './temporal-calls';

export function ticketUpdater({ temporal, db }: ApiContext, optionalRead: ReturnType<typeof readModelGuard>) {
  /**
   * Sends an update to the ticket's workflow: 404 unknown, 409 wrong state (the validator's reason), 503 no worker in time.
   * The read model answers 404 early; when it is down the workflow id is derived, so the action needs Temporal only.
   */
  async function updateTicket<Ret, Args extends [unknown]>(ticketId: string, update: UpdateDefinition<Ret, Args, string>, args: Args, updateId?: string): Promise<Ret> {
    const read = await optionalRead(() => db.select({ workflowId: tickets.workflowId, status: tickets.status }).from(tickets).where(eq(tickets.id, ticketId)));
    const ticket = read.available ? read.value[0] : undefined;
    if (read.available && !ticket) throw new HttpError(404, 'not_found', `no ticket ${ticketId}`);
    const workflowId = ticket?.workflowId ?? ticketWorkflowId(ticketId);
    try {
      return await withinDeadline(temporal.connection, 10_000, () =>
        temporal.client.workflow.getHandle(workflowId).executeUpdate(update, { args, ...(updateId ? { updateId } : {}) }),
      );
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new HttpError(409, 'wrong_state', err.cause?.message ?? err.message);
      if (err instanceof WorkflowNotFoundError) {
        if (ticket) throw new HttpError(409, 'wrong_state', `ticket is ${ticket.status}: its workflow has finished`);
        throw await finishedOrUnknown(ticketId);
      }
      if (err instanceof TimedOut) {
        throw new HttpError(503, 'worker_unavailable', 'the ticket did not take the request in time (its worker may be restarting); send the same request again to learn the outcome');
      }
      unavailable(err, 'could not reach the ticket');
    }
  }

  /** Without the read model: a ticket whose workflow cannot take updates either has finished (409) or never existed (404). */
  async function finishedOrUnknown(ticketId: string): Promise<HttpError> {
    try {
      const described = await withinDeadline(temporal.connection, 5_000, () => temporal.client.workflow.getHandle(ticketWorkflowId(ticketId)).describe());
      return new HttpError(409, 'wrong_state', `ticket workflow is ${described.status.name.toLowerCase()}: it takes no more actions`);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return new HttpError(404, 'not_found', `no ticket ${ticketId}`);
      unavailable(err, 'could not reach the ticket');
    }
  }

  return updateTicket;
}
