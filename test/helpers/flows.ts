// Waiting and acting on tickets through the HTTP API, for SOP flow tests.
import fs from 'node:fs';
import path from 'node:path';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { As } from './credentials';
import { EncryptionCodec, isEncrypted } from '../../config/payload-codec';
import { createSmsClient } from '../../integrations/sms';
import type { SmsMessage } from '../../integrations/types';
import type { TestStack } from './stack';
import { api, getTicket } from './tickets';

/** An agent's decision, by default from a session of the staff member named by body.agentId (created as an agent). */
export async function decide(stack: TestStack, ticketId: string, body: { agentId?: string; [field: string]: unknown }, as?: As) {
  const caller = as === undefined ? await stack.auth.staff(body.agentId ?? 'A-test') : as;
  const { status, body: answer } = await api(stack, 'POST', `/v1/tickets/${ticketId}/decision`, { payload: body, as: caller });
  return { status, body: answer };
}

export async function sendSignal(stack: TestStack, ticketId: string, name: string, payload: object = {}, as?: As) {
  const { status, body } = await api(stack, 'POST', `/v1/tickets/${ticketId}/signals/${name}`, { payload: { payload }, as });
  return { status, body };
}

export async function poll<T>(what: string, read: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
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

/** Waits for an SMS the sandbox gateway sent that fits (pages go out at the end of their window). */
export function waitForSms(stack: TestStack, fits: (message: SmsMessage) => boolean, timeoutMs = 20_000) {
  return poll('an SMS', async () => (await createSmsClient(stack.sandbox.smsApiUrl).list()).find(fits), timeoutMs);
}

/** Waits for an event that fits; returns it. */
export function waitForEvent(stack: TestStack, ticketId: string, fits: (event: any) => boolean, timeoutMs = 20_000) {
  return poll(`an event of ${ticketId}`, async () => (await getTicket(stack, ticketId)).body.events?.find(fits), timeoutMs);
}

export const waitingForDecision = (group: string) => (live: any) => live.waitingFor?.kind === 'human_task' && live.waitingFor.group === group;
export const waitingForSignal = (signal: string) => (live: any) => live.waitingFor?.kind === 'signal' && live.waitingFor.signal === signal;

const { temporal } = proto; // CommonJS: no named exports under ESM

/** Replaces every encrypted payload in a history (or any part of it) by its plain form, in place. */
async function decryptPayloads(node: unknown, codec: EncryptionCodec): Promise<void> {
  if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
  const entries: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
  for (const [key, value] of entries) {
    if (value && typeof value === 'object' && isEncrypted(value as Payload)) (node as Record<string | number, unknown>)[key] = (await codec.decode([value as Payload]))[0];
    else await decryptPayloads(value, codec);
  }
}

/**
 * With RECORD_HISTORIES=1 the workflow's history is saved under test/histories for the replay test,
 * decrypted: each test run has its own payload key, and plain payloads replay with or without one.
 */
export async function recordHistory(stack: TestStack, name: string, workflowId: string) {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  await decryptPayloads(history, new EncryptionCodec(stack.config.payloadKeys!));
  // binary protobuf: exact, and independent of the JSON mapping of whichever protobufjs copy is loaded
  fs.writeFileSync(path.join(import.meta.dirname, '..', 'histories', `${name}.pb`), temporal.api.history.v1.History.encode(history).finish());
}

/** Publishes a new SOP version as an admin (the one place that knows the admin's credential). */
export async function publishSopVersion(stack: TestStack, type: string, document: object, as: As = stack.auth.admin) {
  const { status, body } = await api(stack, 'POST', `/v1/sops/${type}/versions`, { payload: { document }, as });
  return { status, body };
}

/** The fee-dispute SOP's events up to the user's confirmation wait (`step:kind`), and after an accepted proposal. */
export const FEE_DISPUTE_PROPOSED = [
  'intake:created',
  'fetch_order:entered',
  'fetch_order:completed',
  'check_order:decided',
  'analyze_dispute:entered',
  'analyze_dispute:completed',
  'match_solution:entered',
  'match_solution:completed',
  'check_solution:decided',
  'send_solution:notified',
  'await_confirmation:entered',
];
export const FEE_DISPUTE_ACCEPTED = [
  'await_confirmation:signal',
  'check_confirmation:decided',
  'apply_solution:entered',
  'apply_solution:completed',
  'close_resolved:entered',
  'close_resolved:archived',
];
