// HTTP client for the SMS gateway (sandbox: `${sandbox.url}/sms`).
import { createHttp, type HttpClientOptions } from './http';
import type { SmsMessage } from './types';

export interface SmsGateway {
  /**
   * Sends once per idempotency key: a retry with the same key (after a timeout, a crash, an
   * activity retry) gets the original message back instead of a second SMS.
   */
  send(to: string, text: string, idempotencyKey: string): Promise<SmsMessage>;
  list(to?: string): Promise<SmsMessage[]>;
}

export function createSmsClient(baseUrl: string, opts: HttpClientOptions = {}): SmsGateway {
  const http = createHttp('sms', baseUrl, opts);
  return {
    async send(to, text, idempotencyKey) {
      return (await http<SmsMessage>('/messages', { method: 'POST', body: { to, text }, headers: { 'Idempotency-Key': idempotencyKey } })).body;
    },
    async list(to) {
      return (await http<SmsMessage[]>('/messages', { query: { to } })).body;
    },
  };
}
