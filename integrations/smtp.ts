// E-mail through an SMTP relay with nodemailer (TLS, AUTH and the MIME encoding of UTF-8 subjects and
// bodies come with it): Mailpit in development and tests, the company's relay in production
// (`smtp://user:pass@host:587`, `smtps://…` for implicit TLS).
import nodemailer from 'nodemailer';

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** the delivery's dedupe key: mail clients and relays collapse copies with the same Message-ID */
  messageId: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<{ response: string }>;
}

export function createSmtpMailer(url: string, opts: { timeoutMs?: number } = {}): Mailer {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // the URL's own query parameters are options too; the time limits go there
  const withLimits = new URL(url);
  for (const name of ['connectionTimeout', 'greetingTimeout', 'socketTimeout']) withLimits.searchParams.set(name, String(timeoutMs));
  const transport = nodemailer.createTransport(withLimits.toString());
  return {
    async send(m) {
      const info = await transport.sendMail({ from: m.from, to: m.to, subject: m.subject, text: m.text, messageId: `<${m.messageId}>` });
      return { response: info.response };
    },
  };
}

/**
 * Whether the relay accepted a message: only a relay with an API can answer (Mailpit's search by Message-ID). The
 * drain asks it before re-sending an e-mail whose earlier hand-over ended without a record (a crash between the
 * relay's 250 and marking the row sent); SMTP itself cannot refuse a duplicate.
 */
export interface MailLookup {
  accepted(messageId: string): Promise<boolean>;
}

/** Mailpit's HTTP API (`npm start`, `npm test`): GET /api/v1/search?query=message-id:"…" */
export function createMailpitLookup(apiUrl: string, opts: { timeoutMs?: number } = {}): MailLookup {
  const base = apiUrl.replace(/\/$/, '');
  return {
    async accepted(messageId) {
      const res = await fetch(`${base}/api/v1/search?query=${encodeURIComponent(`message-id:"${messageId}"`)}&limit=5`, { signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000) });
      if (!res.ok) throw new Error(`mail lookup answered ${res.status}`);
      const body = (await res.json()) as { messages: Array<{ MessageID: string }> };
      return body.messages.some((m) => m.MessageID === messageId);
    },
  };
}
