// `npm start` as a user runs it: no configuration (embedded database, its own Temporal dev server
// with a SQLite file, sandbox systems), Ctrl-C stops everything cleanly, and a ticket waiting
// for its user survives the restart and completes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { projectRoot } from '../config';
import { freePort, portOpen } from '../scripts/dev-server';
import { copyDatabase } from '../scripts/postgres';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, parsePayloadKeys } from '../config/payload-codec';
import { toJsonPayload } from './helpers/codec';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketflow-start-'));
let ports: Record<'PORT' | 'TEMPORAL_PORT' | 'TEMPORAL_UI_PORT' | 'SANDBOX_PORT' | 'CODEC_PORT' | 'MAILPIT_SMTP_PORT' | 'MAILPIT_WEB_PORT', string>;
let running: ChildProcess | null = null;

test.before(async () => {
  ports = {
    PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    CODEC_PORT: String(await freePort()),
    MAILPIT_SMTP_PORT: String(await freePort()),
    MAILPIT_WEB_PORT: String(await freePort()),
  };
});
test.after.always(() => {
  if (running?.pid) process.kill(-running.pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `npm start`'s launcher in its own process group, as a terminal would; resolves when it is ready. */
function start(): Promise<{ child: ChildProcess; output: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...ports, DATA_DIR: dataDir };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'ORDER_API_URL', 'FINANCE_API_URL', 'SMS_API_URL', 'USER_API_URL', 'WORKFLOW_BUNDLE_PATH', 'PAYLOAD_KEYS', 'PAYLOAD_KEY_ID', 'SMTP_URL', 'MAILPIT_URL']) delete env[name];
  const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'run.mjs'), 'start'], { cwd: projectRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running = child;
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start not ready in 120 s:\n${output}`)), 120_000);
    const check = setInterval(() => {
      if (output.includes('Ctrl-C stops everything')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
}

/** Ctrl-C: SIGINT to the whole process group. */
async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGINT');
  const code = await exited;
  running = null;
  return code;
}

/** The development credentials `npm start` generated under DATA_DIR, as the README reads them. */
const devCredentials = () => JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { serviceKey: string; adminToken: string; userTokenSecret: string };
const bearer = () => ({ authorization: `Bearer ${devCredentials().serviceKey}` });
const api = (p: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${ports.PORT}${p}`, { ...init, headers: { ...bearer(), ...(init.headers as Record<string, string>) } });
const json = (body: object, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function statusOf(ticketId: string, wanted: string) {
  for (let i = 0; i < 200; i++) {
    const body = (await (await api(`/v1/tickets/${ticketId}`)).json()) as { ticket: { status: string } };
    if (body.ticket.status === wanted) return body;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`ticket ${ticketId} never reached ${wanted}`);
}

test.serial('npm start runs everything with no configuration, stops on Ctrl-C, and resumes tickets', async (t) => {
  const first = await start();
  t.regex(first.output(), /API\s+http:\/\/127\.0\.0\.1:\d+/);
  t.regex(first.output(), /Temporal UI\s+http:\/\/127\.0\.0\.1:\d+/);
  t.deepEqual(await (await api('/healthz')).json(), { status: 'ok', temporal: 'ok', database: 'ok' });
  t.is((await api('/docs')).status, 200);
  t.is((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status, 200);
  // the pages people open first are named with their addresses
  for (const page of ['console', 'dashboard', 'kb']) t.regex(first.output(), new RegExp(`http://127\\.0\\.0\\.1:\\d+/${page}\\s`));
  // a real SMTP server with an inbox a person can open, printed with the other addresses
  t.regex(first.output(), new RegExp(`Mail inbox\\s+http://127\\.0\\.0\\.1:${ports.MAILPIT_WEB_PORT}`));
  t.is((await fetch(`http://127.0.0.1:${ports.MAILPIT_WEB_PORT}/`)).status, 200);
  t.true(fs.existsSync(path.join(dataDir, 'pglite')));
  // credentials generated on first run, readable only by their owner, printed with how to use them
  const credentialsFile = path.join(dataDir, 'credentials.json');
  t.is(fs.statSync(credentialsFile).mode & 0o777, 0o600);
  const generated = devCredentials();
  t.true(generated.adminToken.length >= 32 && generated.userTokenSecret.length >= 32 && generated.serviceKey.startsWith('tfk_'));
  t.regex(first.output(), /TOKEN=\$\(node -p "require\('.*credentials\.json'\)\.serviceKey"\)/);
  t.is((await fetch(`http://127.0.0.1:${ports.PORT}/v1/tickets/any`)).status, 401);
  // the development payload key: generated on first run, readable by its owner only, kept for the next run
  const keyFile = path.join(dataDir, 'payload-keys.json');
  t.is(fs.statSync(keyFile).mode & 0o777, 0o600);
  const key = fs.readFileSync(keyFile, 'utf8');
  t.regex(first.output(), /Payload key\s+.*payload-keys\.json .*--codec-endpoint http:\/\/127\.0\.0\.1:\d+\/codec/);
  // the Temporal UI decodes payloads through the development codec server: loopback, no credential needed
  const devCodec = `http://127.0.0.1:${ports.CODEC_PORT}/codec`;
  const uiSettings = (await (await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
  t.is(uiSettings.Codec?.Endpoint, devCodec);
  t.true(first.output().includes(`Codec         ${devCodec}  (development only`));
  const { PAYLOAD_KEYS, PAYLOAD_KEY_ID } = JSON.parse(key) as { PAYLOAD_KEYS: string; PAYLOAD_KEY_ID: string };
  const [encrypted] = await new EncryptionCodec(parsePayloadKeys(PAYLOAD_KEYS, PAYLOAD_KEY_ID)!).encode([defaultPayloadConverter.toPayload({ text: '司机迟到 13812345678' })]);
  const uiOrigin = `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`;
  const decode = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/decode`, json({ payloads: [toJsonPayload(encrypted!)] }, { origin: uiOrigin, ...headers }));
  const decoded = await decode(devCodec);
  t.is(decoded.status, 200);
  t.is(decoded.headers.get('access-control-allow-origin'), uiOrigin, 'the UI (another origin) may read the answer');
  const [plainPayload] = ((await decoded.json()) as { payloads: Array<{ data: string }> }).payloads;
  t.deepEqual(JSON.parse(Buffer.from(plainPayload!.data, 'base64').toString('utf8')), { text: '司机迟到 13812345678' });
  // the API's /codec stays admins only
  t.is((await decode(`http://127.0.0.1:${ports.PORT}/codec`)).status, 401);
  t.is((await decode(`http://127.0.0.1:${ports.PORT}/codec`, bearer())).status, 403);
  t.is((await decode(`http://127.0.0.1:${ports.PORT}/codec`, { authorization: `Bearer ${devCredentials().adminToken}` })).status, 200);

  const scenarios = (await (await fetch(`http://127.0.0.1:${ports.SANDBOX_PORT}/order/scenarios`)).json()) as Record<string, string[]>;
  const orderId = scenarios.double_charged_toll![0]!;
  const order = (await (await fetch(`http://127.0.0.1:${ports.SANDBOX_PORT}/order/orders/${orderId}`)).json()) as { userId: string };
  const created = await api('/v1/tickets', { ...json({ text: '过路费收了两次', orderId, userId: order.userId, channel: 'app' }), headers: { 'content-type': 'application/json', 'idempotency-key': 'launcher-1' } });
  t.is(created.status, 201);
  const ticketId = ((await created.json()) as { tickets: Array<{ id: string }> }).tickets[0]!.id;
  await statusOf(ticketId, 'awaiting_confirmation');

  t.is(await stop(first.child), 0);
  t.regex(first.output(), /stopped/);
  t.false(await portOpen('127.0.0.1', Number(ports.PORT)));
  t.false(await portOpen('127.0.0.1', Number(ports.TEMPORAL_PORT)));
  t.false(await portOpen('127.0.0.1', Number(ports.CODEC_PORT)));
  t.true(fs.existsSync(path.join(dataDir, 'temporal.sqlite')));

  const second = await start();
  t.deepEqual(devCredentials(), generated, 'the second run keeps the credentials of the first');
  t.is(fs.readFileSync(keyFile, 'utf8'), key);
  await statusOf(ticketId, 'awaiting_confirmation');
  t.is((await api(`/v1/tickets/${ticketId}/confirmation`, json({ accepted: true }, { 'x-on-behalf-of': 'someone-else' }))).status, 403);
  t.is((await api(`/v1/tickets/${ticketId}/confirmation`, json({ accepted: true }, { 'x-on-behalf-of': order.userId }))).status, 202);
  const closed = (await statusOf(ticketId, 'closed')) as unknown as { ticket: { resolution: { code: string } } };
  t.is(closed.ticket.resolution.code, 'resolved');
  const refunds = (await (await fetch(`http://127.0.0.1:${ports.SANDBOX_PORT}/finance/refunds?ticketId=${ticketId}`)).json()) as unknown[];
  t.is(refunds.length, 1);
  t.is(await stop(second.child), 0);
});

test.serial('npm run api and npm run worker refuse to start with an unset, default or short credential', async (t) => {
  const strong = 'x'.repeat(40);
  const cases: Array<[string, 'api' | 'worker', Record<string, string>, RegExp]> = [
    ['unset admin token', 'api', { USER_TOKEN_SECRET: strong }, /ADMIN_TOKEN is not set/],
    ['default admin token', 'api', { ADMIN_TOKEN: 'dev-admin-token', USER_TOKEN_SECRET: strong }, /ADMIN_TOKEN is a known default/],
    ['short user-token secret', 'worker', { USER_TOKEN_SECRET: 'short-secret' }, /USER_TOKEN_SECRET is shorter than 32/],
  ];
  for (const [name, entry, credentials, reason] of cases) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...credentials };
    for (const unset of ['ADMIN_TOKEN', 'USER_TOKEN_SECRET']) if (!(unset in credentials)) delete env[unset];
    const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'run.mjs'), entry], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    t.not(code, 0, name);
    t.regex(output, reason, name);
  }
});

test.serial('npm run api runs the API alone against PostgreSQL and a Temporal cluster; without a worker, intake answers 202; on SIGTERM it turns not-ready before it stops', async (t) => {
  const database = await copyDatabase(process.env.DATABASE_URL!);
  const port = await freePort();
  const adminToken = 'a'.repeat(20) + Math.random().toString(36).slice(2).padEnd(20, 'z');
  const admin = { authorization: `Bearer ${adminToken}` };
  const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'run.mjs'), 'api'], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: database.url, PORT: String(port), TEMPORAL_TASK_QUEUE: `no-worker-${port}`, INTAKE_WAIT_MS: '1000', SHUTDOWN_DELAY_MS: '3000', ADMIN_TOKEN: adminToken, USER_TOKEN_SECRET: 'u'.repeat(40) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let healthy = false;
    for (let i = 0; i < 100 && !healthy; i++) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
      if (!healthy) await new Promise((r) => setTimeout(r, 200));
    }
    t.true(healthy);
    t.is((await fetch(`http://127.0.0.1:${port}/v1/tickets`, json({ text: '等候费多收了', userId: 'U-api-alone', channel: 'app' }))).status, 401);
    const response = await fetch(`http://127.0.0.1:${port}/v1/tickets`, json({ text: '等候费多收了', userId: 'U-api-alone', channel: 'app' }, admin));
    t.is(response.status, 202);
    const body = (await response.json()) as { requestId: string; status: string };
    t.is(body.status, 'processing');
    t.is(response.headers.get('location'), `/v1/requests/${body.requestId}`);
    t.is((await fetch(`http://127.0.0.1:${port}/v1/requests/${body.requestId}`, { headers: admin })).status, 202);

    // SIGTERM: readiness turns 503 at once, requests are still served for SHUTDOWN_DELAY_MS, then the process ends
    t.is((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    let ready = 200;
    for (let i = 0; i < 40 && ready === 200; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
      if (ready === 200) await new Promise((r) => setTimeout(r, 50));
    }
    t.is(ready, 503);
    t.is((await fetch(`http://127.0.0.1:${port}/v1/sops`)).status, 200, 'still serving while the load balancer turns away');
    t.is(await exited, 0);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await database.drop();
  }
});
