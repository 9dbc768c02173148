// SOP documents: the declarative procedure of one ticket type, authored as YAML in sops/defaults,
// stored as immutable versions in PostgreSQL and interpreted by the ticket workflow.
// Everything here is pure data, safe to import from workflow code.

/** A JSON Logic expression (https://jsonlogic.com), evaluated deterministically over the ticket context. */
export type Expression = unknown;

/** '30s', '15m', '24h', '2d', or '$name' = the number of milliseconds in the SOP's policy under that name. */
export type Duration = string;

/** Where a policy value comes from: a rate-table article of the knowledge base and the key of its rates block. */
export interface PolicySource {
  article: string;
  key?: string;
}

export interface LocalizedText {
  zh: string;
  en: string;
}

export interface BreachRule {
  /** escalate: hand to `to` (default: supervisor_group) and end the step's wait; notify: tell `to` and keep waiting; continue: go to `next` */
  action: 'escalate' | 'notify' | 'continue';
  to?: string;
  next?: string;
}

interface StepBase {
  name?: LocalizedText;
  /** skill group, 'system' or 'user' */
  owner: string;
  /** time limit: on an action it bounds all attempts together, on a human_task the wait for a decision; refused elsewhere */
  sla?: Duration;
  /** human_task only: what happens when its SLA passes */
  onBreach?: BreachRule;
}

/** The schema of one field of a decision's data; bounds may be JSON Logic over the context. */
export interface DataField {
  type: 'integer' | 'number' | 'string' | 'boolean';
  /** default true */
  required?: boolean;
  /** inclusive bounds of a number: a number or an expression over the context (e.g. { var: order.total }) */
  min?: number | Expression;
  max?: number | Expression;
  /** the allowed values */
  enum?: Array<string | number | boolean>;
  /** bounds of a string's length */
  minLength?: number;
  maxLength?: number;
}

/** decision → field → schema. A decision not listed takes no data. */
export type DecisionDataSchema = Record<string, Record<string, DataField>>;

/** Calls a registered action (an activity) and stores its result in the context under `output`. */
export interface ActionStep extends StepBase {
  kind: 'action';
  action: string;
  /** argument name → expression over the context */
  input?: Record<string, Expression>;
  output?: string;
  next: string;
  /** where to go when the action fails for good (non-retryable error or past its sla); default: the built-in supervisor hand-off */
  onError?: string;
}

/** Puts the ticket in a skill group's queue and waits for an agent's decision. */
export interface HumanTaskStep extends StepBase {
  kind: 'human_task';
  group: string;
  /** what the agent is asked, shown in the console */
  task: LocalizedText;
  /** the decisions the agent may take; each may carry data (e.g. an amount) */
  decisions: string[];
  /** the schema of each decision's data; when present, data outside it is refused (absent: unchecked, as in documents before it existed) */
  data?: DecisionDataSchema;
  /** the output of an earlier human_task: whoever decided that one may not decide this one (a second person approves) */
  distinctFrom?: string;
  /** no action by the holder for `after` → remind, reassign or notify the supervisors; overrides the group's rule */
  silence?: SilenceRule;
  output?: string;
  /** one next step for all decisions, or one per decision */
  next: string | Record<string, string>;
}

/** What happens when a holder takes no action for a while: one list for group policies, SOP steps, the dispatcher and the workflow. */
export const SILENCE_ACTIONS = ['remind', 'reassign', 'notify_supervisor'] as const;
export type SilenceAction = (typeof SILENCE_ACTIONS)[number];

/** A human_task's own silence rule: no action by the holder for `after` → `action` (overrides the group's rule). */
export interface SilenceRule {
  after: Duration;
  action: SilenceAction;
}

/** The signals a wait_signal step may await: one list for the validator, the API, the workflow types and the designer. */
export const SIGNALS = ['confirmation', 'evidence_uploaded', 'tech_fixed'] as const;
export type SignalName = (typeof SIGNALS)[number];

/** Waits for a named signal (user confirmation, evidence uploaded, tech fixed) within `timeout`. */
export interface WaitSignalStep extends StepBase {
  kind: 'wait_signal';
  signal: SignalName;
  timeout: Duration;
  output?: string;
  next: string;
  onTimeout: string;
}

/** Branches on the first condition that holds. */
export interface DecisionStep extends StepBase {
  kind: 'decision';
  branches: Array<{ when: Expression; next: string }>;
  otherwise: string;
}

/** Sends a message to the user; `{{path}}` in the text is filled from the context. */
export interface NotifyStep extends StepBase {
  kind: 'notify';
  to: 'user' | string;
  message: LocalizedText;
  channels?: Array<'in_app' | 'sms' | 'email'>;
  next: string;
}

/** Hands the ticket to a group at a level; `next` must lead to a human step of that group (see validate.ts). */
export interface EscalateStep extends StepBase {
  kind: 'escalate';
  to: string;
  level: number;
  reason: string;
  /** required for new documents; documents published before it was required may end escalated without it */
  next?: string;
}

export interface CloseStep extends StepBase {
  kind: 'close';
  /** the resolution code; `rerouted_<type>` continues the ticket under that type's latest SOP */
  resolution: string;
  /** extra fields of the resolution, each an expression over the context (e.g. the solution applied) */
  data?: Record<string, Expression>;
}

export type SopStep = ActionStep | HumanTaskStep | WaitSignalStep | DecisionStep | NotifyStep | EscalateStep | CloseStep;
/** The step kinds, in one place for the validator, the API catalogue and the designer. */
export const STEP_KINDS = ['action', 'human_task', 'wait_signal', 'decision', 'notify', 'escalate', 'close'] as const satisfies ReadonlyArray<SopStep['kind']>;
export type StepKind = (typeof STEP_KINDS)[number];
/** Names no step id, output, decision or data field may take: they would reach Object.prototype through the context. */
export const FORBIDDEN_NAMES = ['__proto__', 'constructor', 'prototype'] as const;

export interface SopDocument {
  /** the ticket type this procedure handles, e.g. fee_dispute, late_arrival */
  type: string;
  name: LocalizedText;
  /** set by publishing; immutable afterwards */
  version: number;
  /** which classifier labels start this SOP: 'category/subtype' or 'category/*' */
  appliesTo: string[];
  start: string;
  /** thresholds and limits, readable from expressions as policy.NAME and from durations as $NAME */
  policy?: Record<string, number | string | boolean>;
  /**
   * policy values bound to a knowledge-base rate table: the value under `key` (default: the policy name) in the
   * rates block of the table `article` (its pairId) in force when the ticket starts replaces the policy's value,
   * which stays as the fallback without a table (docs/SOP_FORMAT.md, docs/KB.md)
   */
  policyFrom?: Record<string, PolicySource>;
  steps: Record<string, SopStep>;
}

export interface SopValidationError {
  /** the step the error is about, if any */
  step?: string;
  /** JSON path inside the document, e.g. steps.fetch_order.next */
  path: string;
  message: string;
}
