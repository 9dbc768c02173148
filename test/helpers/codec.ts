// Calls of the codec server routes (POST /codec/decode|encode) in the Temporal codec-server JSON form.
import type { Payload } from '@temporalio/common';
import type { TestStack } from './stack';

export interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

export const toJsonPayload = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export async function codecCall(stack: TestStack, direction: 'decode' | 'encode', payloads: JsonPayload[], headers: Record<string, string> = {}) {
  const response = await stack.app.inject({ method: 'POST', url: `/codec/${direction}`, headers, payload: { payloads } });
  return { status: response.statusCode, headers: response.headers, body: response.json() };
}
