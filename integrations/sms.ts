// HTTP client for the SMS gateway (sandbox: `${sandbox.url}/sms`).
import { createHttp, type HttpClientOptions } from './http';
import type { SmsMessage } from './types';

export interface SmsGateway {
  send(to: string, text: string): Promise<SmsMessage>;
  list(to?: string): Promise<SmsMessage[]>;
}

export function createSmsClient(baseUrl: string, opts: HttpClientOptions = {}): SmsGateway {
  const http = createHttp('sms', baseUrl, opts);
  return {
    async send(to, text) {
      return (await http<SmsMessage>('/messages', { method: 'POST', body: { to, text } })).body;
    },
    async list(to) {
      return (await http<SmsMessage[]>('/messages', { query: { to } })).body;
    },
  };
}
