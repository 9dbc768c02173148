// Inputs, outputs and message types of the workflows; shared with the API and activities.
import type { FeePolicy } from '../config';
import type { TicketStatus } from '../schema/tables';
import type { Solution, UserTier } from '../domain/fee-dispute';

export type Channel = 'app' | 'sms' | 'email' | 'phone' | 'web';
export const CHANNELS: Channel[] = ['app', 'sms', 'email', 'phone', 'web'];
export const USER_TIERS: UserTier[] = ['standard', 'vip', 'enterprise'];

/** What POST /v1/tickets accepted; the intake workflow's only input. */
export interface IntakeRequest {
  requestId: string;
  text: string;
  userId: string;
  orderId?: string;
  channel: Channel;
  userTier: UserTier;
  region?: string;
  appVersion?: string;
  language?: 'zh' | 'en';
  receivedAt: string;
}

export interface PlannedTicket {
  id: string;
  workflowId: string;
  category: string;
  subtype: string;
  skillGroup: string;
  priority: number;
  priorityFactors: unknown[];
  status: TicketStatus;
  issueText: string;
  orderId?: string;
  language: string;
  sopType: SopType;
  sopVersion: number;
  /** fee items and amounts the user named, for the dispute analysis */
  claim: { namedItems: string[]; amountsFen: number[] };
}

/** One issue of a message as the intake classifier sees it. */
export interface IssuePlan {
  category: string;
  subtype: string;
  skillGroup: string;
  confidence: number;
  priority: number;
  priorityFactors: unknown[];
  issueText: string;
  orderIds: string[];
  claim: PlannedTicket['claim'];
}

export interface IntakeClassification {
  language: string;
  issues: IssuePlan[];
}

export type SopType = 'fee_dispute' | 'triage';

export interface IntakeResult {
  requestId: string;
  language: string;
  tickets: Array<Pick<PlannedTicket, 'id' | 'workflowId' | 'category' | 'subtype' | 'skillGroup' | 'priority' | 'status'>>;
}

export interface TicketWorkflowInput {
  ticket: PlannedTicket & { requestId: string; userId: string; userTier: UserTier; channel: Channel; region?: string };
  policy: FeePolicy;
}

export interface Confirmation {
  accepted: boolean;
  comment?: string;
}

/** What the ticket took: a repeated request gets the first answer back, whatever it sent. */
export interface ConfirmationOutcome {
  accepted: boolean;
  status: TicketStatus;
}

/** Live view of a running ticket, answered by the ticketState query. */
export interface TicketLiveState {
  status: TicketStatus;
  step: string;
  solution: Solution | null;
  awaitingConfirmationUntil: string | null;
}

export interface TicketOutcome {
  status: TicketStatus;
  resolution: Record<string, unknown>;
}
