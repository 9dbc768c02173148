// Inputs, outputs and message types of the workflows; shared with the API and activities.
import type { TicketStatus } from '../schema/tables';
import type { UserTier } from '../domain/fee-dispute';
import type { DecisionDataSchema, SignalName, SopDocument } from '../sops/types';

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
  /** what the caller claims: a hint for agents, never the ticket's tier */
  userTier: UserTier;
  region?: string;
  appVersion?: string;
  language?: 'zh' | 'en';
  receivedAt: string;
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
  claim: { namedItems: string[]; amountsFen: number[] };
}

export interface IntakeClassification {
  language: string;
  /** the tier the user system knows (absent in histories recorded before it was looked up) */
  userTier?: UserTier;
  issues: IssuePlan[];
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
  sopType: string;
  sopVersion: number;
  claim: IssuePlan['claim'];
}

export interface IntakeResult {
  requestId: string;
  language: string;
  tickets: Array<Pick<PlannedTicket, 'id' | 'workflowId' | 'category' | 'subtype' | 'skillGroup' | 'priority' | 'status'> & { sopType: string; sopVersion: number }>;
}

/** The ticket as SOP expressions see it: `ticket.*` in the context. */
export interface TicketFacts {
  id: string;
  requestId: string;
  category: string;
  subtype: string;
  skillGroup: string;
  priority: number;
  userId: string;
  userTier: UserTier;
  orderId: string | null;
  region: string | null;
  /** `system`: a ticket the system opened itself (an anomaly alert's), with no end user behind it */
  channel: Channel | 'system';
  language: string;
  issueText: string;
  appVersion: string | null;
  claim: IssuePlan['claim'];
  /** a review ticket: the rated ticket it reviews (absent on every other ticket) */
  reviewOf?: { ticketId: string; score: number; reason?: string; comment?: string };
  /** an anomaly alert's ticket: the alert (absent on every other ticket) */
  anomaly?: { alertId: string; category: string; observed: number; expected: number; score: number };
}

/** Where a ticket is in its procedure: all a continue-as-new run needs to go on. */
export interface TicketProgress {
  stepId: string | null;
  status: TicketStatus;
  seq: number;
  context: Record<string, unknown>;
  /** runs of this ticket so far (continue-as-new) */
  run: number;
}

export interface TicketWorkflowInput {
  ticket: TicketFacts;
  sop: SopDocument;
  /** the SOP's policy with the environment's overrides, fixed at intake */
  policy: Record<string, number | string | boolean>;
  resume?: TicketProgress;
  /** set by the reconciler only, on a ticket whose workflow ended without closing it or never started */
  recover?: TicketRecovery;
}

/** Why a ticket is started again, and where its procedure stopped: the supervisors' hand-off shows both. */
export interface TicketRecovery {
  /** workflow_terminated, workflow_failed, workflow_timedout, workflow_canceled or workflow_missing */
  reason: string;
  /** the step the read model last saw (null: the workflow never ran) */
  stoppedAt: string | null;
  /** the ticket's status when its workflow stopped */
  previousStatus: string;
}

export interface Confirmation {
  accepted: boolean;
  comment?: string;
}

export interface ConfirmationOutcome {
  accepted: boolean;
  status: TicketStatus;
}

export interface AgentDecision {
  decision: string;
  /** who decided; a step with distinctFrom refuses the agent who decided the earlier step */
  agentId: string;
  note?: string;
  data?: Record<string, unknown>;
  /** a supervisor or admin deciding for the holder names them here (the API sets it from the caller's role) */
  actingFor?: string;
}

/** Who holds the waiting human step (carried in the context across continue-as-new). */
export interface Holder {
  agentId: string;
  assignmentId: string;
  since: string;
}

export interface HolderState {
  step: string;
  holder: Holder | null;
  /** the step's SLA deadline (moved later by time spent waiting on the user), null without SLA */
  deadline: string | null;
  /** set while the SLA clock is paused */
  pausedAt: string | null;
}

/** `by` is who asked (the agent, a supervisor, or `dispatcher` for automatic dispatch). */
export interface Assignment {
  agentId: string;
  assignmentId: string;
  by: string;
}

export interface Release {
  agentId: string;
  by: string;
  reason?: string;
}

export interface Transfer {
  from: string;
  to: string;
  assignmentId: string;
  by: string;
  reason?: string;
}

export interface InfoRequest {
  agentId: string;
  /** what the user is asked (kept short: it is part of the ticket's events) */
  question: string;
}

export interface InfoAnswer {
  by: string;
  answer?: string;
}

export interface AgentEscalation {
  /** who escalates: the holder, any agent when nobody holds it, or a supervisor */
  agentId: string;
  reason: string;
  /** a supervisor or admin escalating for the holder */
  actingFor?: string;
}

export interface SilenceNotice {
  assignmentId: string;
  action: 'remind' | 'reassign' | 'notify_supervisor';
  silentMs: number;
}

export interface SignalDelivery {
  name: Exclude<SignalName, 'confirmation'>;
  payload?: Record<string, unknown>;
}

/** What a ticket in a human step waits for, in its live view. */
export interface HumanTaskWait {
  kind: 'human_task';
  group: string;
  decisions: string[];
  /** the SLA deadline as it stands (moved later by pauses); null without SLA and while paused */
  until: string | null;
  /** true while the ticket waits on the user: the clock is stopped with `remainingMs` left */
  paused?: boolean;
  remainingMs?: number;
  /** what each decision's data must be */
  data?: DecisionDataSchema;
}

/** Live view of a running ticket, answered by the ticketState query. */
export interface TicketLiveState {
  status: TicketStatus;
  step: string;
  stepKind: string | null;
  sop: { type: string; version: number };
  /** the signal or decision the ticket waits for, if any */
  waitingFor: { kind: 'signal'; signal: string; until: string | null } | HumanTaskWait | null;
  /** the last solution a matching action proposed */
  solution: unknown;
  /** who holds the waiting human step (absent before work distribution existed) */
  holder?: Holder | null;
}

export interface TicketOutcome {
  status: TicketStatus;
  resolution: Record<string, unknown>;
}

/** One ticket to page an on-call group about. */
export interface PageRequest {
  ticketId: string;
}

/** The pager of one on-call group: pages at most once per window with every ticket that arrived. */
export interface PagerInput {
  group: string;
  windowMs: number;
  /** tickets that arrived but were not paged yet (carried across continue-as-new) */
  pending?: string[];
}

/** What a reviewer decided about a rated ticket: reopen it (second handling) or close with findings. */
export interface ReviewOutcome {
  reviewTicketId: string;
  outcome: 'reopen' | 'closed';
  findings?: string;
}
