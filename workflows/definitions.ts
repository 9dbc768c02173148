// Message definitions: the API sends and queries through these names.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Rating } from '../domain/ratings';
import type { AgentDecision, AgentEscalation, Assignment, Confirmation, ConfirmationOutcome, HolderState, InfoAnswer, InfoRequest, PageRequest, Release, ReviewOutcome, SignalDelivery, SilenceNotice, TicketLiveState, Transfer } from './types';

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
export const intakeWorkflowId = (requestId: string) => `intake-${requestId}`;

// Work distribution (issue 18): who holds the ticket's human step. Each is written as a ticket event by the workflow.
/** Gives the waiting human step to an agent; the update id is the assignment id, so a resend is harmless. */
export const assignUpdate = defineUpdate<HolderState, [Assignment]>('assign');
/** The holder gives the step back to its group's queue. */
export const releaseUpdate = defineUpdate<HolderState, [Release]>('release');
/** The holder (or a supervisor reassigning) hands the step to another agent. */
export const transferUpdate = defineUpdate<HolderState, [Transfer]>('transfer');
/** The holder asks the user for more information: the step's SLA clock stops until the answer. */
export const requestInfoUpdate = defineUpdate<HolderState, [InfoRequest]>('requestInfo');
/** The user's answer to a request for information: the SLA clock goes on. */
export const provideInfoUpdate = defineUpdate<HolderState, [InfoAnswer]>('provideInfo');
/** The holder (or a supervisor) hands the step to the supervisors' queue: status escalated, no clock, nobody holds it. */
export const escalateUpdate = defineUpdate<HolderState, [AgentEscalation]>('escalate');
/** A group's silence rule fired: the holder did nothing for too long (remind, reassign or tell the supervisors). */
export const holderSilentUpdate = defineUpdate<HolderState, [SilenceNotice]>('holderSilent');
