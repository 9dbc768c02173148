// The console's calls to the API (staff session from /shared/api.js): who I am, my queues, a ticket and its SOP,
// and the holder's actions (transfer, release, ask the user, escalate). Each returns {status, body}.
import { api } from '/shared/api.js';

const id = encodeURIComponent;

export const whoAmI = () => api('GET', '/v1/me');
export const consoleConfig = () => api('GET', '/v1/console/config');
export const agents = () => api('GET', '/v1/agents');
export const myTickets = (agentId) => api('GET', `/v1/agents/${id(agentId)}/tickets`);
export const queue = (group) => api('GET', `/v1/queues/${id(group)}`);
export const takeNext = () => api('POST', '/v1/me/next');
export const take = (ticketId) => api('POST', `/v1/tickets/${id(ticketId)}/assign`, {});
export const ticket = (ticketId) => api('GET', `/v1/tickets/${id(ticketId)}`);
export const order = (ticketId) => api('GET', `/v1/tickets/${id(ticketId)}/order`);
export const similarCases = (ticketId) => api('GET', `/v1/tickets/${id(ticketId)}/similar-cases`);
export const decide = (ticketId, body) => api('POST', `/v1/tickets/${id(ticketId)}/decision`, body);
export const release = (ticketId) => api('POST', `/v1/tickets/${id(ticketId)}/release`, {});
export const transfer = (ticketId, to) => api('POST', `/v1/tickets/${id(ticketId)}/transfer`, { to });
export const requestInfo = (ticketId, question) => api('POST', `/v1/tickets/${id(ticketId)}/info-request`, { question });
export const escalate = (ticketId, reason) => api('POST', `/v1/tickets/${id(ticketId)}/escalate`, { reason });

/** published SOP versions never change: one fetch each */
const sops = new Map();
export function sopVersion(type, version) {
  const key = `${type}@${version}`;
  if (!sops.has(key)) sops.set(key, api('GET', `/v1/sops/${id(type)}/versions/${id(version)}`).then((a) => (a.status === 200 ? a.body.document : null)));
  return sops.get(key);
}
export const logout = () => api('POST', '/v1/auth/logout');
