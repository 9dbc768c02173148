// What the console shows: the signed-in agent, their queues and held tickets (with when they were read, for the
// countdowns), and the open ticket with its SOP document and similar cases.
export const state = {
  me: null, // {id, role}
  profile: null, // {id, groups, maxConcurrent, status}
  agents: [],
  config: null, // {temporalUiUrl, namespace}
  mine: [],
  queues: {}, // group → items nobody holds
  readAt: 0, // Date.now() when the lists were read: remainingMs counts down from here
  open: null, // {ticket, events, live, liveError}
  sop: null, // the open ticket's SOP document
  order: null, // {order, evidence, …} as the ticket's steps read them (GET /v1/tickets/:id/order)
  cases: [],
};

/** milliseconds left of an item's SLA now (frozen while paused), null without SLA */
export function remainingNow(item) {
  if (item.remainingMs === null || item.remainingMs === undefined) return null;
  return item.paused ? item.remainingMs : item.remainingMs - (Date.now() - state.readAt);
}

/** the open ticket's step in its SOP: the live one, or the read model's last step once the SOP has ended ('end') */
export function currentStep() {
  const { live, ticket } = state.open;
  return live?.step && state.sop?.steps?.[live.step] ? live.step : ticket.currentStep;
}
