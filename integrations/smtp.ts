// A minimal SMTP client (RFC 5321) for plain-text notices: EHLO, MAIL, RCPT, DATA, QUIT over one TCP
// connection, UTF-8 subject and body (RFC 2047 / base64). No TLS or AUTH: it talks to a local relay
// (Mailpit in development and tests). Written because no mailer package is installed here; a
// production deployment should swap in nodemailer behind this same interface (see docs/ARCHITECTURE.md).
import net from 'node:net';

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

export class SmtpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/;
const encodeHeader = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`);
const base64Lines = (text: string) => Buffer.from(text, 'utf8').toString('base64').replace(/.{1,76}/g, '$&\r\n');

export function formatMessage(m: MailMessage, date = new Date()): string {
  return [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${encodeHeader(m.subject)}`,
    `Message-ID: <${m.messageId}>`,
    `Date: ${date.toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(m.text),
  ].join('\r\n');
}

/** `smtp://host:port` */
export function createSmtpMailer(url: string, opts: { timeoutMs?: number; heloName?: string } = {}): Mailer {
  const { hostname, port } = new URL(url);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    async send(m) {
      for (const address of [m.from, m.to]) if (!ADDRESS.test(address)) throw new SmtpError(501, `not an e-mail address: ${address.replace(/^(.).*@/, '$1…@')}`);
      const socket = net.connect({ host: hostname, port: Number(port || 25) });
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`SMTP ${hostname}:${port} timed out after ${timeoutMs} ms`)));
      let buffer = '';
      const waiting: Array<{ resolve: (r: { code: number; text: string }) => void; reject: (e: Error) => void }> = [];
      let failure: Error | null = null;
      const fail = (err: Error) => {
        failure = err;
        for (const w of waiting.splice(0)) w.reject(err);
      };
      socket.on('error', fail);
      socket.on('close', () => fail(failure ?? new Error('SMTP connection closed')));
      socket.on('data', (chunk) => {
        buffer += chunk.toString('utf8');
        // a reply ends with a line "NNN text" (continuation lines are "NNN-text")
        for (;;) {
          const match = /(^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(buffer);
          if (!match) break;
          const end = match.index + match[0].length;
          const reply = { code: Number(match[2]), text: buffer.slice(0, end).trim() };
          buffer = buffer.slice(end);
          waiting.shift()?.resolve(reply);
        }
      });
      const next = () => new Promise<{ code: number; text: string }>((resolve, reject) => (failure ? reject(failure) : waiting.push({ resolve, reject })));
      async function command(line: string | null, expect: number) {
        const reply = next();
        if (line !== null) socket.write(`${line}\r\n`);
        const r = await reply;
        if (Math.floor(r.code / 100) !== Math.floor(expect / 100)) throw new SmtpError(r.code, `SMTP ${line?.split(' ')[0] ?? 'greeting'}: ${r.text}`);
        return r;
      }
      try {
        await command(null, 220);
        await command(`EHLO ${opts.heloName ?? 'ticketflow.local'}`, 250);
        await command(`MAIL FROM:<${m.from}>`, 250);
        await command(`RCPT TO:<${m.to}>`, 250);
        await command('DATA', 354);
        // dot-stuffing is not needed: the body is base64
        const done = await command(`${formatMessage(m)}\r\n.`, 250);
        await command('QUIT', 221).catch(() => undefined);
        return { response: done.text };
      } finally {
        socket.destroy();
      }
    },
  };
}
