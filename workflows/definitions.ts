// Message definitions: the API sends and queries through these names.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Rating } from '../domain/ratings';
import type { AgentDecision, Confirmation, ConfirmationOutcome, PageRequest, ReviewOutcome, SignalDelivery, TicketLiveState } from './types';

export const ticketStateQuery = defineQuery<TicketLiveState>('ticketState');
/** The user's answer to a proposed solution; rejected by the validator unless the ticket awaits one. */
export const confirmSolutionUpdate = defineUpdate<ConfirmationOutcome, [Confirmation]>('confirmSolution');
/** An agent's decision on a human task; the validator checks the step and the allowed decisions. */
export const decideUpdate = defineUpdate<TicketLiveState, [AgentDecision]>('decide');
/** Other awaited signals (evidence uploaded, tech fixed). */
export const deliverSignalUpdate = defineUpdate<TicketLiveState, [SignalDelivery]>('deliverSignal');
/** The user says a closed ticket is not solved: second handling (二次处理) within the reopen window. */
export const reopenUpdate = defineUpdate<TicketLiveState, [{ reason: string }]>('reopen');

/** The user's satisfaction rating of a closed ticket, within its reopen window; a low one opens a review. */
export const rateUpdate = defineUpdate<{ score: number; reviewTicketId: string | null }, [Rating]>('rate');
/** The reviewer's outcome of a low rating, sent by the review ticket: an event of the rated ticket. */
export const reviewOutcomeUpdate = defineUpdate<TicketLiveState, [ReviewOutcome]>('reviewOutcome');

/** A ticket asks the on-call group's pager (workflow "pager-<group>") to page it with the next batch. */
export const pageSignal = defineSignal<[PageRequest]>('page');
/** A ticket's workflow id is derived from its id: an action needs Temporal, not the read model, to find it. */
export const ticketWorkflowId = (ticketId: string) => `ticket-${ticketId}`;
