import type { TicketStatus } from '../schema/tables';
import type { TicketOutcome } from './types';

/** One way a ticket's row and its workflow disagree. */
export type TicketDrift =
  /** the workflow finished but the row still shows it open (a lost read-model write) */
  | { kind: 'finished_open_row'; ticketId: string; rowStatus: TicketStatus; outcome: TicketOutcome; closedAt: string }
  /** the workflow was terminated, failed, timed out or cancelled: nobody can act on the ticket */
  | { kind: 'dead_workflow'; ticketId: string; rowStatus: TicketStatus; workflowStatus: string }
  /** the row exists but no workflow was ever started (an intake that died between storing and starting) */
  | { kind: 'missing_workflow'; ticketId: string; rowStatus: TicketStatus };

export interface FailedIntake {
  requestId: string;
  status: string;
  closedAt: string | null;
}

export interface ReconcileInput {
  /** rows changed more recently than this are left alone (an intake may be between storing and starting); default 1 minute */
  minAgeMs?: number;
  /** open rows checked per run; default 2,000 */
  limit?: number;
  /** failed intakes are reported if they closed within this window; default 1 day */
  lookbackMs?: number;
}

export interface ReconcileReport {
  checked: number;
  repaired: Array<TicketDrift & { applied: boolean }>;
  failedIntakes: FailedIntake[];
}
