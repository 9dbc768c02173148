// Mailpit: a real SMTP server with an inbox page and an HTTP API, for `npm start` (a person reads the
// notices) and `npm test` (tests read what arrived). Found on MAILPIT_BIN or PATH, else built once
// with `go install` into the same cache as the Temporal CLI (~/.cache/ticketflow/mailpit-<version>/).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheRoot, onPath } from './temporal-cli';
import { freePort, portOpen } from './dev-server';

export const MAILPIT_VERSION = 'v1.33.1';
export const MAILPIT_MODULE = 'github.com/axllent/mailpit';

const cachedBinary = (version: string) => path.join(cacheRoot(), `mailpit-${version}`, 'mailpit');

export async function ensureMailpit(version = MAILPIT_VERSION): Promise<string> {
  if (process.env.MAILPIT_BIN) return process.env.MAILPIT_BIN;
  const cached = cachedBinary(version);
  if (fs.existsSync(cached)) return cached;
  const fromPath = onPath('mailpit');
  if (fromPath) return fromPath;
  const go = onPath('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
  if (!go) throw new Error(`Mailpit is not installed and Go is missing: install Go, or set MAILPIT_BIN, or SMTP_URL to your own relay`);
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  console.log(`[mail] building Mailpit ${version} with Go into ${path.dirname(cached)} (first time only: a few minutes)`);
  const started = Date.now();
  const child = spawn(go, ['install', `${MAILPIT_MODULE}@${version}`], { env: { ...process.env, GOBIN: path.dirname(cached), GOFLAGS: '-mod=mod' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0 || !fs.existsSync(cached)) throw new Error(`go install of Mailpit ${version} failed (exit ${code}):\n${stderr}`);
  console.log(`[mail] built in ${Math.round((Date.now() - started) / 1000)}s: ${cached}`);
  return cached;
}

export interface RunningMailpit {
  /** smtp://host:port for the mailer */
  smtpUrl: string;
  /** the inbox page and the HTTP API (/api/v1/messages) */
  webUrl: string;
  stop(): Promise<void>;
}

/** Starts Mailpit on the given (or free) ports; `database` keeps mail across restarts (none: in memory). */
export async function startMailpit(opts: { host?: string; smtpPort?: number; webPort?: number; database?: string } = {}): Promise<RunningMailpit> {
  const host = opts.host ?? '127.0.0.1';
  const smtpPort = opts.smtpPort ?? (await freePort());
  const webPort = opts.webPort ?? (await freePort());
  const smtpUrl = `smtp://${host}:${smtpPort}`;
  const webUrl = `http://${host}:${webPort}`;
  if (await portOpen(host, smtpPort)) {
    console.log(`[mail] reusing the SMTP server already listening on ${host}:${smtpPort}`);
    return { smtpUrl, webUrl, stop: async () => {} };
  }
  const binary = await ensureMailpit();
  if (opts.database) fs.mkdirSync(path.dirname(opts.database), { recursive: true });
  const args = ['--smtp', `${host}:${smtpPort}`, '--listen', `${host}:${webPort}`, '--quiet', '--smtp-disable-rdns', ...(opts.database ? ['--database', opts.database] : [])];
  // own process group, stopped last (like the Temporal dev server)
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!((await portOpen(host, smtpPort)) && (await portOpen(host, webPort)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Mailpit did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    smtpUrl,
    webUrl,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
