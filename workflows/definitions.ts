// Message definitions: the API sends and queries through these names.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Confirmation, ConfirmationOutcome, TicketLiveState } from './types';

export const ticketStateQuery = defineQuery<TicketLiveState>('ticketState');
/** The user's answer to a proposed solution; rejected by the validator unless the ticket awaits one. */
export const confirmSolutionUpdate = defineUpdate<ConfirmationOutcome, [Confirmation]>('confirmSolution');
