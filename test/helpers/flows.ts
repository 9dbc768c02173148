// Waiting and acting on tickets through the HTTP API, for SOP flow tests.
import fs from 'node:fs';
import path from 'node:path';
import proto from '@temporalio/proto';
import type { TestStack } from './stack';
import { getTicket } from './tickets';

export async function decide(stack: TestStack, ticketId: string, body: object, token: string | null = 'dev-agent-token') {
  const response = await stack.app.inject({ method: 'POST', url: `/v1/tickets/${ticketId}/decision`, headers: token ? { authorization: `Bearer ${token}` } : {}, payload: body });
  return { status: response.statusCode, body: response.json() };
}

export async function sendSignal(stack: TestStack, ticketId: string, name: string, payload: object = {}) {
  const response = await stack.app.inject({ method: 'POST', url: `/v1/tickets/${ticketId}/signals/${name}`, payload: { payload } });
  return { status: response.statusCode, body: response.json() };
}

async function poll<T>(what: string, read: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the live state fits (e.g. the ticket waits for a human decision). */
export function waitForLive(stack: TestStack, ticketId: string, fits: (live: any) => boolean, timeoutMs = 20_000) {
  return poll(`live state of ${ticketId}`, async () => {
    const { body } = await getTicket(stack, ticketId);
    return body.live && fits(body.live) ? body.live : undefined;
  }, timeoutMs);
}

/** Waits for an event that fits; returns it. */
export function waitForEvent(stack: TestStack, ticketId: string, fits: (event: any) => boolean, timeoutMs = 20_000) {
  return poll(`an event of ${ticketId}`, async () => (await getTicket(stack, ticketId)).body.events?.find(fits), timeoutMs);
}

export const waitingForDecision = (group: string) => (live: any) => live.waitingFor?.kind === 'human_task' && live.waitingFor.group === group;
export const waitingForSignal = (signal: string) => (live: any) => live.waitingFor?.kind === 'signal' && live.waitingFor.signal === signal;

const { temporal } = proto; // CommonJS: no named exports under ESM

/** With RECORD_HISTORIES=1 the workflow's history is saved under test/histories for the replay test. */
export async function recordHistory(stack: TestStack, name: string, workflowId: string) {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  // binary protobuf: exact, and independent of the JSON mapping of whichever protobufjs copy is loaded
  fs.writeFileSync(path.join(import.meta.dirname, '..', 'histories', `${name}.pb`), temporal.api.history.v1.History.encode(history).finish());
}

/** Publishes a new SOP version as an admin (the one place that knows the admin's credential). */
export async function publishSopVersion(stack: TestStack, type: string, document: object, token = 'dev-admin-token') {
  const response = await stack.app.inject({ method: 'POST', url: `/v1/sops/${type}/versions`, headers: { authorization: `Bearer ${token}` }, payload: { document } });
  return { status: response.statusCode, body: response.json() };
}
