// Temporal payloads are encrypted (AES-GCM, key id in the metadata): the dev server's history holds
// no user text, a worker with the key runs tickets, a wrong key fails clearly, payloads written before
// the codec pass through, and the codec routes serve admins only.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import test from 'ava';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { projectRoot } from '../config';
import { readDevServerConfig } from '../scripts/dev-server';
import { findTemporalCli } from '../scripts/temporal-cli';
import { EncryptionCodec, ENCRYPTED_ENCODING, generatePayloadKeys, KEY_ID_METADATA, parsePayloadKeys, PayloadKeyError } from '../config/payload-codec';
import { payloadDataConverter } from '../config/temporal';
import { startDevCodecServer } from '../api/dev-codec-server';
import { codecCall, toJsonPayload } from './helpers/codec';
import { adminHeaders, authHeaders } from './helpers/credentials';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack();
});
test.after.always(async () => {
  await stack?.close();
});

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const keysOf = (env: { PAYLOAD_KEYS: string; PAYLOAD_KEY_ID: string }) => parsePayloadKeys(env.PAYLOAD_KEYS, env.PAYLOAD_KEY_ID)!;
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

test('the codec encrypts with the current key id, decrypts, and passes unencrypted payloads through', async (t) => {
  const keys = keysOf(generatePayloadKeys('k1'));
  const codec = new EncryptionCodec(keys);
  const [encrypted] = await codec.encode([plain({ text: '司机威胁我 13812345678' })]);
  t.is(text(encrypted!.metadata!.encoding), ENCRYPTED_ENCODING);
  t.is(text(encrypted!.metadata![KEY_ID_METADATA]), 'k1');
  t.false(Buffer.from(encrypted!.data!).includes(Buffer.from('司机威胁我')));
  const [decoded] = await codec.decode([encrypted!]);
  t.deepEqual(defaultPayloadConverter.fromPayload(decoded!), { text: '司机威胁我 13812345678' });
  // written before the codec existed: returned as it is
  const old = plain({ text: 'old' });
  t.is((await codec.decode([old]))[0], old);
});

test('rotation: a new current key encrypts new payloads, the old id still decrypts old ones; a wrong key fails clearly', async (t) => {
  const old = keysOf(generatePayloadKeys('2026-01'));
  const [oldPayload] = await new EncryptionCodec(old).encode([plain('before rotation')]);
  const rotated = parsePayloadKeys(JSON.stringify({ '2026-01': old.keys['2026-01']!.toString('base64'), '2026-02': JSON.parse(generatePayloadKeys('x').PAYLOAD_KEYS).x }), '2026-02')!;
  const codec = new EncryptionCodec(rotated);
  const [newPayload] = await codec.encode([plain('after rotation')]);
  t.is(text(newPayload!.metadata![KEY_ID_METADATA]), '2026-02');
  t.is(defaultPayloadConverter.fromPayload((await codec.decode([oldPayload!]))[0]!), 'before rotation');

  const sameIdOtherKey = new EncryptionCodec(keysOf(generatePayloadKeys('2026-01')));
  await t.throwsAsync(sameIdOtherKey.decode([oldPayload!]), { instanceOf: PayloadKeyError, message: /cannot decrypt payload with key "2026-01"/ });
  await t.throwsAsync(new EncryptionCodec(keysOf(generatePayloadKeys('other'))).decode([oldPayload!]), { message: /key "2026-01", which is not in PAYLOAD_KEYS/ });
  t.throws(() => parsePayloadKeys('{"a":"c2hvcnQ="}', 'a'), { message: /must be 32 bytes/ });
  t.throws(() => parsePayloadKeys(JSON.stringify({ a: old.keys['2026-01']!.toString('base64') }), 'b'), { message: /PAYLOAD_KEY_ID "b" is not in PAYLOAD_KEYS/ });
});

test('the dev server stores encrypted payloads; a worker with the key runs the ticket end to end; a wrong key cannot read it', async (t) => {
  const order = await orderOf(stack, 'wrongful_cross_city_surcharge');
  const secret = `同城订单为什么收了跨城费? 请回电 13912345678 ${order.id}`;
  const created = await postTicket(stack, { text: secret, orderId: order.id, userId: order.userId });
  t.is(created.status, 201);
  const intakeId = `intake-${created.body.requestId}`;
  const ticketId: string = created.body.tickets[0].id;

  // raw history, as the server (and anyone reading its database) sees it
  const { history } = await stack.client.workflowService.getWorkflowExecutionHistory({ namespace: stack.config.temporal.namespace, execution: { workflowId: intakeId } });
  const started = history!.events![0]!.workflowExecutionStartedEventAttributes!;
  const input = started.input!.payloads![0]!;
  t.is(text(input.metadata!.encoding), ENCRYPTED_ENCODING);
  t.is(text(input.metadata![KEY_ID_METADATA]), stack.config.payloadKeys!.currentKeyId);
  t.false(Buffer.from(input.data!).includes(Buffer.from('跨城费')));
  t.false(Buffer.from(input.data!).includes(Buffer.from(order.userId)));

  // the ticket's summary (user metadata) is encrypted too, and says ids and categories only
  const ticketHistory = await stack.client.workflowService.getWorkflowExecutionHistory({ namespace: stack.config.temporal.namespace, execution: { workflowId: `ticket-${ticketId}` } });
  const metadata = ticketHistory.history!.events![0]!.userMetadata!;
  t.is(text(metadata.summary!.metadata!.encoding), ENCRYPTED_ENCODING);
  const codec = new EncryptionCodec(stack.config.payloadKeys!);
  const [summary, details] = (await codec.decode([metadata.summary!, metadata.details!])).map((p) => defaultPayloadConverter.fromPayload<string>(p));
  t.regex(summary!, /^fee_dispute\/\w+ · P\d+ · SOP fee_dispute v\d+ · /);
  t.false(summary!.includes('跨城费'));
  t.false(`${summary} ${details}`.includes(order.userId));

  await waitForStatus(stack, ticketId, 'awaiting_confirmation');
  t.is((await confirm(stack, ticketId, { accepted: true })).status, 202);
  const closed = await waitForStatus(stack, ticketId, 'closed');
  t.is(closed.ticket.resolution.code, 'resolved');

  // the client with the key reads the result; one with another key is told why it cannot
  t.is(((await stack.client.workflow.getHandle(intakeId).result()) as { requestId: string }).requestId, created.body.requestId);
  const stranger = new Client({ connection: stack.client.connection, namespace: stack.config.temporal.namespace, dataConverter: { payloadCodecs: [new EncryptionCodec(keysOf(generatePayloadKeys(stack.config.payloadKeys!.currentKeyId)))] } });
  await t.throwsAsync(stranger.workflow.getHandle(intakeId).result(), { message: /cannot decrypt payload with key/ });

  // an encrypted history replays with the codec (and only with it)
  const recorded = await stack.client.workflow.getHandle(intakeId).fetchHistory();
  const bundle = { workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } };
  await t.notThrowsAsync(Worker.runReplayHistory({ ...bundle, dataConverter: payloadDataConverter(stack.config) }, recorded, intakeId));
  await t.throwsAsync(Worker.runReplayHistory(bundle, recorded, intakeId));

  // the Temporal CLI reads the history through the codec route with the admin credential, and cannot without it
  const cli = findTemporalCli(readDevServerConfig().version)!;
  const apiUrl = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  const show = (auth: string[]) =>
    promisify(execFile)(cli, ['workflow', 'show', '-w', intakeId, '--address', stack.config.temporal.address, '--output', 'json', '--codec-endpoint', `${apiUrl}/codec`, ...auth], { maxBuffer: 16 * 1024 * 1024 }).then(
      (r) => r.stdout,
      (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`,
    );
  const jsonPlain = Buffer.from('json/plain').toString('base64');
  const shown = JSON.parse(await show(['--codec-auth', adminHeaders(stack).authorization!])) as { events: Array<{ userMetadata?: { summary?: { data: string } }; workflowExecutionStartedEventAttributes?: { input: { payloads: Array<{ metadata: { encoding: string }; data: string }> } } }> };
  const [shownInput] = shown.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads;
  t.is(shownInput!.metadata.encoding, jsonPlain);
  t.true(Buffer.from(shownInput!.data, 'base64').toString('utf8').includes('跨城费'));
  t.is(Buffer.from(shown.events[0]!.userMetadata!.summary!.data, 'base64').toString('utf8'), '"intake of app feedback"');
  t.false((await show([])).includes(jsonPlain));

  // the codec route decrypts the same raw payload for an admin
  const decoded = await codecCall(stack, 'decode', [toJsonPayload(input)], adminHeaders(stack));
  t.is(decoded.status, 200);
  t.true(Buffer.from(decoded.body.payloads[0].data, 'base64').toString('utf8').includes('跨城费'));
});

test('the codec routes round-trip for admins, refuse everyone else, and answer the Temporal UI’s CORS preflight', async (t) => {
  const original = toJsonPayload(plain({ note: 'hello 13812345678' }));
  const encoded = await codecCall(stack, 'encode', [original], adminHeaders(stack));
  t.is(encoded.status, 200);
  t.is(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString(), ENCRYPTED_ENCODING);
  const decoded = await codecCall(stack, 'decode', encoded.body.payloads, adminHeaders(stack));
  t.deepEqual(decoded.body.payloads, [original]);

  const anonymous = await codecCall(stack, 'decode', encoded.body.payloads, { origin: 'http://127.0.0.1:8233' });
  t.is(anonymous.status, 401);
  t.is(anonymous.headers['access-control-allow-origin'], 'http://127.0.0.1:8233');
  const agent = await codecCall(stack, 'decode', encoded.body.payloads, authHeaders(await stack.auth.staff('A-codec')));
  t.is(agent.status, 403);
  t.is((await codecCall(stack, 'encode', [original], {})).status, 401);

  const tampered = { ...encoded.body.payloads[0], data: Buffer.from('x'.repeat(40)).toString('base64') };
  const refused = await codecCall(stack, 'decode', [tampered], adminHeaders(stack));
  t.is(refused.status, 400);
  t.is(refused.body.error, 'undecodable_payload');

  const preflight = await stack.app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'POST' } });
  t.is(preflight.statusCode, 204);
  t.is(preflight.headers['access-control-allow-origin'], 'http://127.0.0.1:8233');
  t.regex(String(preflight.headers['access-control-allow-headers']), /x-namespace/);
  const foreign = await stack.app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
  t.is(foreign.headers['access-control-allow-origin'], undefined);
});

test('the development codec server decodes without a credential on loopback only, and refuses to run in production', async (t) => {
  const server = await startDevCodecServer(stack.config, 0);
  try {
    t.regex(server.endpoint, /^http:\/\/127\.0\.0\.1:\d+\/codec$/);
    const original = toJsonPayload(plain({ note: 'dev 13812345678' }));
    const [encrypted] = await new EncryptionCodec(stack.config.payloadKeys!).encode([plain({ note: 'dev 13812345678' })]);
    const call = (direction: string, payloads: unknown[]) => fetch(`${server.endpoint}/${direction}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:8233' }, body: JSON.stringify({ payloads }) });
    const decoded = await call('decode', [toJsonPayload(encrypted!)]);
    t.is(decoded.status, 200);
    t.is(decoded.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8233');
    t.deepEqual(((await decoded.json()) as { payloads: unknown[] }).payloads, [original]);
    // the same payload without a credential on the API: refused
    t.is((await codecCall(stack, 'decode', [toJsonPayload(encrypted!)], {})).status, 401);
    const bad = await call('decode', [{ ...toJsonPayload(encrypted!), data: Buffer.from('x'.repeat(40)).toString('base64') }]);
    t.is(bad.status, 400);
    t.like(await bad.json(), { error: 'undecodable_payload' });
  } finally {
    await server.close();
  }
  await t.throwsAsync(startDevCodecServer({ ...stack.config, production: true }, 0), { message: /development only/ });
});

test('production processes refuse to start without a payload key', async (t) => {
  // strong credentials, so the missing payload key is the one reason to refuse
  const strong = 'x'.repeat(16) + 'y'.repeat(16) + 'z';
  const env: NodeJS.ProcessEnv = { ...process.env, ADMIN_TOKEN: strong, USER_TOKEN_SECRET: strong };
  delete env.PAYLOAD_KEYS;
  delete env.PAYLOAD_KEY_ID;
  // asynchronously: this process also serves the sandbox the other tests use
  const runs = ['worker/main.ts', 'api/main.ts'].map(async (entry) => {
    const failure = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(projectRoot, entry)], { cwd: projectRoot, env, timeout: 60_000 }).then(
      () => null,
      (err: { code?: number; stderr?: string }) => err,
    );
    t.truthy(failure, `${entry} started`);
    t.not(failure?.code, 0, entry);
    t.regex(failure?.stderr ?? '', /PAYLOAD_KEYS is not set/, entry);
  });
  await Promise.all(runs);
});
