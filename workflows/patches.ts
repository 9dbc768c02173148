// Patch ids of the ticket workflow: each guards a change to the commands of existing histories with
// patched(id). The rule and the lifecycle (patched → deprecatePatch → removal) are in docs/ARCHITECTURE.md.
export const PATCHES = {
  /** an action failing without onError hands the ticket to a supervisors' step instead of ending escalated */
  failureHandoff: 'failure-handoff',
  /** a failing reroute from triage hands the ticket to the supervisors instead of failing the workflow */
  rerouteHandoff: 'reroute-failure-handoff',
  /** an escalate step without next (documents published before it was required) hands the ticket to a step of its group */
  escalationHandoff: 'escalation-handoff',
  /** a ticket the reconciler starts again (its workflow ended without closing it) opens in the supervisors' hand-off */
  recoveryHandoff: 'recovery-handoff',
} as const;
